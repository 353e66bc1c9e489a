using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>The cluster client subscribes to room streams, so it needs the same stream provider as the silos.</summary>
public sealed class ChatClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.AddChatStreams(new ChatClusterOptions());
}
