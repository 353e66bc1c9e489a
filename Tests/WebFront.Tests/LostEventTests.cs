using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.WebFront.Rooms;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// An event lost between the room and a WebFront while later events keep coming (what a stream queue handed over
/// during a silo restart does): the server notices from the next event's predecessor and resynchronises the socket
/// itself, before the later event, without waiting for the client's <c>resync</c> or a lease renewal. Real embedded
/// WebFront and silo; the loss is made by taking the feeds off the stream for exactly one event. Both feed scopes.
/// </summary>
public abstract class LostEventTests(FeedScope scope) : IAsyncLifetime
{
    private WebFrontHost _host = null!;

    private IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    // The default lease (renewals every 5 s): the renewal check, which would also resync, stays out of the way.
    public async Task InitializeAsync() => _host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Relay:FeedScope"] = scope.ToString(),
        ["Chat:Relay:Source"] = "Subscription", // the loss is made by taking the feeds off the stream
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AMemberThatMissedAnEventIsResynchronisedBeforeTheNextOne()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Bob");
        await using var _b = bob;
        var stream = Cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(room));
        var feeds = _host.Services.GetRequiredService<RoomFeeds>().Feeds.Where(f => f.RoomId == room).ToList();
        Assert.NotEmpty(feeds);

        // Take this WebFront's feeds off the stream; a probe stays on it to know when the lost event went by.
        foreach (var handle in await stream.GetAllSubscriptionHandles())
        {
            await handle.UnsubscribeAsync();
        }

        var probe = new Probe();
        var probeHandle = await stream.SubscribeAsync(probe);
        await alice.SendChunkAsync("lost on the way");
        await alice.SendChunkAsync("lost on the way, too");
        var lost = await probe.NextAsync<DraftChunk>();
        Assert.Equal("lost on the way", lost.Text);
        var lostToo = await probe.NextAsync<DraftChunk>();
        Assert.Equal("lost on the way, too", lostToo.Text);

        // The feeds are back on the stream (as after a queue hand-over). A new subscription starts at the stream's newest
        // cached event, so the feeds get the second chunk and the one after, never the first.
        foreach (var feed in feeds)
        {
            await stream.SubscribeAsync(feed);
        }

        await alice.SendChunkAsync("after the loss");
        var after = await probe.NextAsync<DraftChunk>();
        Assert.Equal(lostToo.Seq, after.PrevSeq);

        // Bob never sent resync (nor does this client check seq): the first room frame he gets is a welcome that holds
        // everything up to the later chunk, not the second chunk with the first missing before it.
        var next = await bob.NextMatchingAsync(f => f.TryGetProperty("seq", out _), TimeSpan.FromSeconds(10));
        Assert.True(next.GetProperty("type").GetString() == "welcome", $"Bob got {next} first");
        Assert.True(next.GetProperty("seq").GetInt64() >= after.Seq, $"welcome at {next.GetProperty("seq")}, the later chunk is {after.Seq}");
        Assert.Contains(
            next.GetProperty("drafts").EnumerateArray(),
            d => d.GetProperty("text").GetString() == "after the loss");

        // And the room stays live for him.
        await alice.SendChunkAsync("live again");
        var live = await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk");
        Assert.Equal("live again", live.GetProperty("text").GetString());
        await probeHandle.UnsubscribeAsync();
    }

    private sealed class Probe : IAsyncObserver<ChatEvent>
    {
        private readonly Channel<ChatEvent> _events = Channel.CreateUnbounded<ChatEvent>();

        public async Task<T> NextAsync<T>()
            where T : ChatEvent
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                if (await _events.Reader.ReadAsync(timeout.Token) is T match)
                {
                    return match;
                }
            }
        }

        public Task OnNextAsync(ChatEvent item, StreamSequenceToken? token = null) => _events.Writer.WriteAsync(item).AsTask();

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}

public sealed class LostEventTestsWithOneFeedPerRoom() : LostEventTests(FeedScope.Server);

public sealed class LostEventTestsWithOneFeedPerSocket() : LostEventTests(FeedScope.Connection);
