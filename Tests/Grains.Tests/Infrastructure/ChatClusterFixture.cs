using Orleans.TestingHost;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// A two-silo test cluster shared by one test collection. Tests isolate themselves by using a fresh room id.
/// </summary>
public abstract class ChatClusterFixture<TSiloConfigurator> : IAsyncLifetime
    where TSiloConfigurator : ISiloConfigurator, new()
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed yet.");

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<TSiloConfigurator>();
        builder.AddClientBuilderConfigurator<ChatClientConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    public IChatRoomGrain Room(string roomId) => Client.GetGrain<IChatRoomGrain>(roomId);

    /// <summary>Subscribes to the room's stream from the cluster client; dispose to unsubscribe.</summary>
    public Task<RoomEventProbe> SubscribeAsync(string roomId) => RoomEventProbe.SubscribeAsync(Client, roomId);
}
