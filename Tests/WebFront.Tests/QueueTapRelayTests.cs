using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.Streams;
using OrleansChat.Grains.Streaming;
using OrleansChat.WebFront.Rooms;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// <c>Chat:Relay:Source=QueueTap</c> on a real embedded WebFront and silo: the WebFront reads the stream queues itself,
/// its feeds never subscribe, and a queue activation lost under it (what a silo's death does) makes the members of
/// that queue's rooms resynchronise at once.
/// </summary>
public sealed class QueueTapRelayTests : IAsyncLifetime
{
    private WebFrontHost _host = null!;

    private IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    private QueueTapRelay Relay => _host.Services.GetRequiredService<QueueTapRelay>();

    public async Task InitializeAsync() => _host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Relay:Source"] = "QueueTap",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EventsReachTheRoomThroughTheTapsWithNoStreamSubscription()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Bob");
        await using var _b = bob;
        var batchesBefore = Relay.Batches;

        await alice.SendChunkAsync("through the tap");
        var chunk = await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk");

        Assert.Equal("through the tap", chunk.GetProperty("text").GetString());
        Assert.True(Relay.Batches > batchesBefore, "the relay handed the chunk over");
        var stream = Cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<Events.ChatEvent>(ChatStreams.ForRoom(room));
        Assert.Empty(await stream.GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task AQueueLostUnderTheTapResynchronisesTheMembersOfItsRooms()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Bob");
        await using var _b = bob;
        await alice.SendChunkAsync("before the loss");
        await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk");

        // The room's queue activation goes away with whatever it held (as when its silo dies); the next one is new.
        var mapper = new HashRingBasedStreamQueueMapper(
            _host.Services.GetRequiredService<IOptionsMonitor<HashRingStreamQueueMapperOptions>>().Get(ChatStreams.ProviderName),
            ChatStreams.ProviderName);
        var queue = Cluster.GetGrain<IWaitingQueueGrain>(
            WaitingQueueAdapterFactory.QueueGrainKey(ChatStreams.ProviderName, mapper.GetQueueForStream(ChatStreams.ForRoom(room))));
        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        // Bob's WebFront notices the new activation on its next read and gives him a fresh welcome, without a gap to
        // reveal anything and long before a lease renewal would.
        var welcome = await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "welcome", TimeSpan.FromSeconds(15));
        Assert.Equal(bob.ConnectionId, welcome.GetProperty("connectionId").GetString());
        Assert.Contains(welcome.GetProperty("drafts").EnumerateArray(), d => d.GetProperty("text").GetString() == "before the loss");

        // And the room stays live through the new activation.
        await alice.SendChunkAsync("after the loss");
        var chunk = await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk" && f.GetProperty("text").GetString() == "after the loss");
        Assert.True(chunk.GetProperty("seq").GetInt64() > welcome.GetProperty("seq").GetInt64());
    }

    [Theory]
    [InlineData(null, null, FeedSource.QueueTap)]
    [InlineData("Connection", null, FeedSource.Subscription)]
    [InlineData(null, "Polled", FeedSource.Subscription)]
    public async Task UnsetTheSourceIsQueueTapsWhereTheyCanFeedTheFeedsAndSubscriptionsElsewhere(string? scope, string? queues, FeedSource expected)
    {
        await using var host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Relay:FeedScope"] = scope,
            ["Orleans:StreamQueues"] = queues,
        });

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<RelayOptions>>().Value.Source);
    }

    [Fact]
    public async Task TheTapNeedsOneFeedPerRoomAndTheWaitingQueues()
    {
        var scope = await Assert.ThrowsAsync<OptionsValidationException>(() => WebFrontHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Relay:Source"] = "QueueTap",
            ["Chat:Relay:FeedScope"] = "Connection",
        }));
        Assert.Contains("Chat:Relay:FeedScope=Server", scope.Message, StringComparison.Ordinal);

        var queues = await Assert.ThrowsAsync<OptionsValidationException>(() => WebFrontHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Relay:Source"] = "QueueTap",
            ["Orleans:StreamQueues"] = "Polled",
        }));
        Assert.Contains("Orleans:StreamQueues=Waiting", queues.Message, StringComparison.Ordinal);
    }
}
