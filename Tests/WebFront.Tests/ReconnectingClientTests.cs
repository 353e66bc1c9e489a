using OrleansChat.Client;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// The reconnecting protocol client the test clients and the load generator share (Tests/ChatClient): its rules
/// without a socket, the browser's backoff, and a real reconnect against a real WebFront.
/// </summary>
[Collection(ServerFeedCollection.Name)]
public sealed class ReconnectingClientTests(ServerFeedFixture fixture)
{
    private static WelcomeFrame Welcome(long seq, params string[] history) =>
        new(seq, "c1", "web", [.. history.Select((id, i) => new HistoryEntry(id, i + 1))]);

    [Fact]
    public void AWelcomeConfirmsTheCommitsInItsHistoryAndReturnsTheRestAndTheDraftToSendAgain()
    {
        var recovery = new ChatRecovery();
        recovery.Committing("a", "first");
        recovery.Committing("b", "second");
        recovery.Committing("c", "third");
        recovery.Typed("still typing");

        var resend = recovery.Welcomed(Welcome(10, "x", "b"));

        Assert.Equal(["a", "c"], resend.Commits.Select(c => c.Key));
        Assert.Equal(["first", "third"], resend.Commits.Select(c => c.Value));
        Assert.Equal("still typing", resend.Draft);
        Assert.Equal(10, recovery.LastSeq);
        Assert.True(recovery.Confirm("a"));
        Assert.False(recovery.Confirm("a"));
        Assert.Equal(["c"], recovery.PendingIds);
    }

    [Fact]
    public void CommittingClearsTheDraftAndTheSameIdIsKeptOnce()
    {
        var recovery = new ChatRecovery();
        recovery.Typed("hello");
        recovery.Committing("a", "hello");
        recovery.Committing("a", "hello");
        Assert.Equal(string.Empty, recovery.Draft);
        Assert.Equal(1, recovery.PendingCount);
        Assert.Equal("hello", recovery.PendingText("a"));
    }

    [Fact]
    public void RoomEventsAreNextStaleOrAGap()
    {
        var recovery = new ChatRecovery();
        recovery.Welcomed(Welcome(5));
        Assert.Equal(EventOrder.Stale, recovery.Observe(5));
        Assert.Equal(EventOrder.Next, recovery.Observe(6));
        Assert.Equal(EventOrder.Gap, recovery.Observe(9));
        Assert.Equal(EventOrder.Stale, recovery.Observe(7));
        Assert.Equal(EventOrder.Next, recovery.Observe(10));
    }

    [Fact]
    public void ReconnectDelaysFollowTheBrowsersEqualJitterBackoff()
    {
        var random = new Random(7);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var cap = Math.Min(10_000, 250 * Math.Pow(2, attempt));
            for (var i = 0; i < 50; i++)
            {
                var delay = ReconnectBackoff.Delay(attempt, random).TotalMilliseconds;
                Assert.InRange(delay, cap / 2, cap);
            }
        }

        var retry = ReconnectBackoff.CommitRetryDelay(random).TotalMilliseconds;
        Assert.InRange(retry, 1_500, 3_000);
    }

    [Fact]
    public async Task AfterALostConnectionTheClientRejoinsAndSendsItsDraftAndUnconfirmedCommitExactlyOnce()
    {
        var room = WebFrontFixture.NewRoom();
        await using var alice = new ResilientChatClient(fixture.SocketUri, room, "Alice");
        alice.Start();
        await alice.WaitUntilAsync(a => a.IsLive, TimeSpan.FromSeconds(15), "Alice is live");
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _ = bob;
        var firstConnection = alice.ConnectionId!;

        alice.AbortConnection();
        await alice.WaitUntilAsync(a => a.Disconnects == 1, TimeSpan.FromSeconds(10), "Alice noticed the lost connection");
        var id = await alice.CommitAsync("sent while offline");
        await alice.TypeAsync("typed while offline");

        // Bob sees Alice leave, come back under a new connection, then her commit and her draft (sent after her welcome).
        await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "left" && f.GetProperty("connectionId").GetString() == firstConnection);
        var commit = await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "commit");
        Assert.Equal(id, commit.GetProperty("message").GetProperty("clientMessageId").GetString());
        Assert.Equal("sent while offline", commit.GetProperty("message").GetProperty("text").GetString());
        var draft = await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk");
        Assert.Equal("typed while offline", draft.GetProperty("text").GetString());
        Assert.NotEqual(firstConnection, draft.GetProperty("connectionId").GetString());
        await alice.WaitUntilAsync(a => a.PendingCommits == 0 && a.Log.Contains(id), TimeSpan.FromSeconds(10), "Alice's commit is confirmed");

        // A later commit is a barrier: by its arrival, a second copy of the first would have arrived too.
        var barrier = await alice.CommitAsync("barrier");
        await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "commit"
            && f.GetProperty("message").GetProperty("clientMessageId").GetString() == barrier);
        lock (bob.Received)
        {
            Assert.Single(bob.Received, f => f.GetProperty("type").GetString() == "commit"
                && f.GetProperty("message").GetProperty("clientMessageId").GetString() == id);
        }

        Assert.Equal(2, alice.Connects);
    }
}
