using Orleans.TestingHost;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>A chat silo with limits small enough to reach in a test.</summary>
public sealed class SmallLimitsSiloConfigurator : ISiloConfigurator
{
    public const int MaxHistory = 5;
    public const int MaxParticipantsPerRoom = 2;

    public void Configure(ISiloBuilder siloBuilder) => ChatTestSilo.Configure(siloBuilder, limits =>
    {
        limits.MaxHistory = MaxHistory;
        limits.MaxParticipantsPerRoom = MaxParticipantsPerRoom;
    });
}
