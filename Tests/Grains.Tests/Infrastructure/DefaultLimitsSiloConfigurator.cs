using Orleans.TestingHost;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>A chat silo with the default <see cref="ChatLimits"/>.</summary>
public sealed class DefaultLimitsSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => ChatTestSilo.Configure(siloBuilder);
}
