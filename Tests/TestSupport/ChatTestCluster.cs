using System.Globalization;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A real Orleans cluster of chat silos (TestCluster over TCP, so separately built WebFronts can connect as clients),
/// and WebFronts that are Orleans clients of one of its silos.
/// </summary>
public sealed class ChatTestCluster : IAsyncDisposable
{
    private readonly TestCluster _cluster;

    private ChatTestCluster(TestCluster cluster) => _cluster = cluster;

    public static async Task<ChatTestCluster> StartAsync(short silos)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.InitializeClientOnDeploy = false;
        builder.AddSiloBuilderConfigurator<ChatSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ChatTestCluster(cluster);
    }

    /// <summary>A WebFront that reaches the cluster through silo <paramref name="silo"/>'s gateway.</summary>
    public Task<WebFrontHost> StartWebFrontAsync(int silo, string serverId, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = _cluster.Options.ClusterId,
            ["Orleans:ServiceId"] = _cluster.Options.ServiceId,
            ["Orleans:Gateways:0"] = _cluster.Silos[silo].GatewayAddress.Endpoint.ToString(),
            ["Chat:Socket:ServerId"] = serverId,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return WebFrontHost.StartAsync(all);
    }

    /// <summary>The same, listening on a fixed port (to restart a WebFront where a page expects it).</summary>
    public Task<WebFrontHost> StartWebFrontOnPortAsync(int silo, int port) =>
        StartWebFrontAsync(silo, "web-" + port.ToString(CultureInfo.InvariantCulture), new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
        });

    public async ValueTask DisposeAsync()
    {
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
