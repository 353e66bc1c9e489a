using System.Globalization;
using Orleans.TestingHost;
using OrleansChat.Silo.Hosting;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// A real 2-silo cluster (TCP transport) and two WebFronts, each an Orleans client of a different silo's gateway.
/// </summary>
public sealed class TwoSiloClusterFixture : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public WebFrontHost WebFront1 { get; private set; } = null!;

    public WebFrontHost WebFront2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.InitializeClientOnDeploy = false;
        builder.AddSiloBuilderConfigurator<ChatSiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();

        WebFront1 = await StartWebFrontAsync(_cluster.Silos[0]);
        WebFront2 = await StartWebFrontAsync(_cluster.Silos[1]);
    }

    private Task<WebFrontHost> StartWebFrontAsync(SiloHandle silo) => WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Orleans:ClusterId"] = _cluster.Options.ClusterId,
        ["Orleans:ServiceId"] = _cluster.Options.ServiceId,
        ["Orleans:Gateways:0"] = silo.GatewayAddress.Endpoint.ToString(),
        ["Chat:Socket:ServerId"] = "webfront-" + silo.InstanceNumber.ToString(CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync()
    {
        await WebFront1.DisposeAsync();
        await WebFront2.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    private sealed class ChatSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddChatLimits();
            siloBuilder.AddChatStorageAndStreams(new ChatClusterOptions { StreamPollPeriod = TimeSpan.FromMilliseconds(5) });
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwoSiloClusterCollection : ICollectionFixture<TwoSiloClusterFixture>
{
    public const string Name = "Two silos, two WebFronts";
}
