using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.WebFront.Rooms;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// Room feeds on a real embedded WebFront, counted where they live: this WebFront's feeds, the subscriptions the
/// room stream's pub-sub knows, and the room's participants. Every test runs in both feed scopes, and with feeds fed
/// by the WebFront's queue taps (which never subscribe).
/// </summary>
public abstract class FeedLifecycleTests(FeedScope scope, FeedSource source) : IAsyncLifetime
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private WebFrontHost _host = null!;

    protected Uri SocketUri => _host.SocketUri;

    protected FeedScope Scope => scope;

    private RoomFeeds Feeds => _host.Services.GetRequiredService<RoomFeeds>();

    private IClusterClient Cluster => _host.Services.GetRequiredService<IClusterClient>();

    public async Task InitializeAsync() => _host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Relay:FeedScope"] = scope.ToString(),
        ["Chat:Relay:Source"] = source.ToString(),
        ["Chat:Relay:FeedGracePeriod"] = "00:00:00.300",
        // Renewals every 2 s: lost events are noticed within two (4 s). Not shorter: on a starved machine a 3 s lease
        // can lapse between renewals that time out, and the typist's draft would leave with her lease (the likeliest
        // reading of one loaded local run where the resync welcome never showed it).
        ["Chat:Limits:LeaseTimeout"] = "00:00:06",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SocketsOfOneRoomShareItsSubscriptionAndTheLastToLeaveReleasesIt()
    {
        var room = WebFrontFixture.NewRoom();
        var sockets = new List<ChatSocket>();
        for (var i = 0; i < 10; i++)
        {
            sockets.Add((await ChatSocket.JoinAsync(_host.SocketUri, room, "member" + i)).Socket);
        }

        Assert.Equal(ExpectedSubscriptions(10), await SubscriptionsAsync(room));
        Assert.Equal(scope == FeedScope.Server ? 1 : 10, FeedsOf(room));

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        await Eventually(async () => await SubscriptionsAsync(room) == 0 && FeedsOf(room) == 0 && await ParticipantsAsync(room) == 0,
            "every subscription, feed and participant is gone");
    }

    [Fact]
    public async Task ASocketThatDiesDuringJoinOrSubscribeLeavesNothingBehind()
    {
        // Each socket joins a fresh room (so its join also subscribes) and is dropped a few milliseconds later: some
        // die before the subscription exists, some while the room is joining them, some just after.
        var rooms = Enumerable.Range(0, 30).Select(_ => WebFrontFixture.NewRoom()).ToList();
        for (var i = 0; i < rooms.Count; i++)
        {
            var socket = await ChatSocket.ConnectAsync(_host.SocketUri);
            await socket.SendAsync(new { type = "join", room = rooms[i], name = "Ghost" });
            if (i % 10 > 0)
            {
                await Task.Delay(i % 10);
            }

            socket.Abort();
            await socket.DisposeAsync();
        }

        await Eventually(async () => (await LeftoversAsync(rooms)).Count == 0, "no room keeps a subscription, a feed or a participant of a dead socket",
            async () => string.Join("; ", await LeftoversAsync(rooms)));
    }

    [Fact]
    public async Task ASocketThatDiesDuringAResyncLeavesNothingBehind()
    {
        var room = WebFrontFixture.NewRoom();
        var (keeper, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Keeper");
        await using var _k = keeper;
        for (var i = 0; i < 20; i++)
        {
            var (socket, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Resyncer" + i);
            await socket.SendAsync(new { type = "resync" });
            socket.Abort();
            await socket.DisposeAsync();
        }

        await Eventually(async () => await ParticipantsAsync(room) == 1 && await SubscriptionsAsync(room) == ExpectedSubscriptions(1) && FeedsOf(room) == 1,
            "only the keeper is left, with its feed");

        // And the keeper's feed still works.
        var (writer, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Writer");
        await using var _w = writer;
        await writer.SendChunkAsync("still live");
        await keeper.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk" && f.GetProperty("text").GetString() == "still live");
    }

    [Fact]
    public async Task AJoinersFirstFrameIsAlwaysItsWelcomeWhileSomeoneTypesFast()
    {
        var room = WebFrontFixture.NewRoom();
        var (typist, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Typist");
        await using var _t = typist;
        using var stop = new CancellationTokenSource();
        var typing = Task.Run(async () =>
        {
            // 30 chunks a second, the per-connection rate limit.
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / 30));
            var n = 0;
            try
            {
                while (await tick.WaitForNextTickAsync(stop.Token))
                {
                    await typist.SendChunkAsync("draft " + n++);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Done typing.
            }
        });

        for (var i = 0; i < 1_000; i++)
        {
            var joiner = await ChatSocket.ConnectAsync(_host.SocketUri);
            await using var _j = joiner;
            await joiner.SendAsync(new { type = "join", room, name = "Joiner" + i });
            var first = await joiner.NextAsync();
            Assert.Equal("welcome", first.GetProperty("type").GetString());

            // And what follows the welcome continues it: no event the welcome already holds.
            var welcomeSeq = first.GetProperty("seq").GetInt64();
            var next = await joiner.NextMatchingAsync(f => f.TryGetProperty("seq", out _));
            Assert.True(next.GetProperty("seq").GetInt64() > welcomeSeq, $"joiner {i}: event {next.GetProperty("seq")} after welcome {welcomeSeq}");
        }

        await stop.CancelAsync();
        await typing;
        lock (typist.Received)
        {
            Assert.DoesNotContain(typist.Received, f => f.GetProperty("type").GetString() == "error");
        }
    }

    /// <summary>The room stream's subscriptions for <paramref name="sockets"/> members here: none when queue taps feed the feeds.</summary>
    private int ExpectedSubscriptions(int sockets) => source == FeedSource.QueueTap ? 0 : scope == FeedScope.Server ? 1 : sockets;

    protected IAsyncStream<ChatEvent> Stream(string room) =>
        Cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(room));

    protected async Task<int> SubscriptionsAsync(string room) => (await Stream(room).GetAllSubscriptionHandles()).Count;

    protected async Task<int> ParticipantsAsync(string room) =>
        (await Cluster.GetGrain<IChatRoomGrain>(room).GetSnapshot()).Participants.Count;

    protected int FeedsOf(string room) => Feeds.Feeds.Count(f => f.RoomId == room);

    private async Task<List<string>> LeftoversAsync(IEnumerable<string> rooms)
    {
        var left = new List<string>();
        foreach (var room in rooms)
        {
            var (subscriptions, feeds, participants) = (await SubscriptionsAsync(room), FeedsOf(room), await ParticipantsAsync(room));
            if (subscriptions + feeds + participants > 0)
            {
                left.Add($"{room}: {subscriptions} subscriptions, {feeds} feeds, {participants} participants");
            }
        }

        return left;
    }

    protected static async Task Eventually(Func<Task<bool>> condition, string what, Func<Task<string>>? describe = null)
    {
        using var timeout = new CancellationTokenSource(Settle);
        while (!await condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Not within {Settle}: {what}. {(describe is null ? "" : await describe())}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}

/// <summary>What only feeds that subscribe to the room stream can lose: their subscription.</summary>
public abstract class SubscribedFeedLifecycleTests(FeedScope scope) : FeedLifecycleTests(scope, FeedSource.Subscription)
{
    [Fact]
    public async Task AFeedThatLosesItsSubscriptionRecoversAndEveryMemberResyncs()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(SocketUri, room, "Bob");
        await using var _b = bob;
        var (carol, _) = await ChatSocket.JoinAsync(SocketUri, room, "Carol");
        await using var _c = carol;
        await alice.NextMatchingAsync(f => f.GetProperty("type").GetString() == "joined"
            && f.GetProperty("participant").GetProperty("name").GetString() == "Carol");

        // The stream forgets this WebFront's subscriptions (as an in-memory pub-sub does when its silo dies).
        foreach (var handle in await Stream(room).GetAllSubscriptionHandles())
        {
            await handle.UnsubscribeAsync();
        }

        Assert.Equal(0, await SubscriptionsAsync(room));
        await alice.SendChunkAsync("typed into the void");

        // Within two renewals the feeds notice they were not given the room's events, subscribe again and resync.
        foreach (var member in new[] { bob, carol })
        {
            var welcome = await member.NextMatchingAsync(
                f => f.GetProperty("type").GetString() == "welcome"
                    && f.GetProperty("drafts").EnumerateArray().Any(d => d.GetProperty("text").GetString() == "typed into the void"),
                TimeSpan.FromSeconds(30));
            Assert.Equal(member.ConnectionId, welcome.GetProperty("connectionId").GetString());
        }

        await Eventually(async () => await SubscriptionsAsync(room) == (Scope == FeedScope.Server ? 1 : 3), "the feeds subscribed again");
        await alice.SendChunkAsync("live again");
        await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk" && f.GetProperty("text").GetString() == "live again");
        await carol.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk" && f.GetProperty("text").GetString() == "live again");
    }
}

public sealed class FeedLifecycleTestsWithOneFeedPerRoom() : SubscribedFeedLifecycleTests(FeedScope.Server);

public sealed class FeedLifecycleTestsWithOneFeedPerSocket() : SubscribedFeedLifecycleTests(FeedScope.Connection);

public sealed class FeedLifecycleTestsWithQueueTaps() : FeedLifecycleTests(FeedScope.Server, FeedSource.QueueTap);
