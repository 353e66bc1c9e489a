using System.Text.Json;

namespace OrleansChat.WebFront.Tests;

public abstract class RelayTests(WebFrontFixture fixture)
{
    [Fact]
    public async Task TwoSocketsInOneRoomSeeEachOthersChunksInOrderAndTheCommit()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _b = bob;
        var bobJoined = await alice.NextOfTypeAsync("joined");
        Assert.Equal("Bob", bobJoined.GetProperty("participant").GetProperty("name").GetString());

        string[] drafts = ["H", "He", "Hel", "Hell", "Hello", "Hell", "Hello!"];
        foreach (var draft in drafts)
        {
            await alice.SendChunkAsync(draft);
        }

        var seen = new List<string>();
        long lastSeq = 0;
        while (seen.Count < drafts.Length)
        {
            var chunk = await bob.NextOfTypeAsync("chunk");
            Assert.Equal(alice.ConnectionId, chunk.GetProperty("connectionId").GetString());
            var seq = chunk.GetProperty("seq").GetInt64();
            Assert.True(seq > lastSeq, "room sequence numbers grow");
            lastSeq = seq;
            seen.Add(chunk.GetProperty("text").GetString()!);
        }

        Assert.Equal(drafts, seen);

        await alice.SendCommitAsync("Hello!", "m1");
        var commitAtBob = await bob.NextOfTypeAsync("commit");
        var commitAtAlice = await alice.NextOfTypeAsync("commit");
        foreach (var commit in new[] { commitAtBob, commitAtAlice })
        {
            var message = commit.GetProperty("message");
            Assert.Equal("Hello!", message.GetProperty("text").GetString());
            Assert.Equal("Alice", message.GetProperty("senderName").GetString());
            Assert.Equal("m1", message.GetProperty("clientMessageId").GetString());
        }
    }

    [Fact]
    public async Task ARetriedCommitAppearsOnce()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        await alice.SendCommitAsync("once", "retry-1");
        await alice.SendCommitAsync("once", "retry-1");
        await alice.SendCommitAsync("marker", "retry-2");

        // The retry is answered to the sender alone with a "committed" frame holding the stored message (it may be
        // older than any welcome would show), never with a second commit event.
        var committed = await alice.NextOfTypeAsync("committed");
        Assert.Equal("retry-1", committed.GetProperty("message").GetProperty("clientMessageId").GetString());
        await alice.NextMatchingAsync(f => f.GetProperty("type").GetString() == "commit" && f.GetRawText().Contains("retry-2", StringComparison.Ordinal));
        var retried = alice.Received.Count(f => f.GetProperty("type").GetString() == "commit"
            && f.GetProperty("message").GetProperty("clientMessageId").GetString() == "retry-1");
        Assert.Equal(1, retried);
        Assert.Equal(1, alice.Received.Count(f => f.GetProperty("type").GetString() == "welcome"));

        var (late, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Late");
        await using var _l = late;
        Assert.Equal(["once", "marker"], welcome.GetProperty("history").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task ALateJoinerGetsHistoryAndLiveDraftsInItsWelcome()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _b = bob;

        await alice.SendCommitAsync("first message", "a-1");
        await bob.NextOfTypeAsync("commit");
        await alice.SendChunkAsync("still typ");
        await bob.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk" && f.GetProperty("text").GetString() == "still typ");

        var (carol, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Carol");
        await using var _c = carol;

        Assert.Equal(room, welcome.GetProperty("room").GetString());
        Assert.Equal("Carol", welcome.GetProperty("name").GetString());
        Assert.Equal(
            ["Alice", "Bob", "Carol"],
            welcome.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order());
        var history = welcome.GetProperty("history").EnumerateArray().ToList();
        Assert.Single(history);
        Assert.Equal("first message", history[0].GetProperty("text").GetString());
        var draft = Assert.Single(welcome.GetProperty("drafts").EnumerateArray());
        Assert.Equal(alice.ConnectionId, draft.GetProperty("connectionId").GetString());
        Assert.Equal("still typ", draft.GetProperty("text").GetString());

        // Live events continue after the snapshot, with the next room sequence number.
        await alice.SendChunkAsync("still typing");
        var next = await carol.NextOfTypeAsync("chunk");
        Assert.Equal("still typing", next.GetProperty("text").GetString());
        Assert.Equal(welcome.GetProperty("seq").GetInt64() + 1, next.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task RoomsAreIsolated()
    {
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Alice");
        await using var _a = alice;
        var otherRoom = WebFrontFixture.NewRoom();
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, otherRoom, "Bob");
        await using var _b = bob;
        var (carol, _) = await ChatSocket.JoinAsync(fixture.SocketUri, otherRoom, "Carol");
        await using var _c = carol;

        await alice.SendChunkAsync("secret");
        await alice.SendCommitAsync("secret", "s-1");
        await alice.NextOfTypeAsync("commit");

        // Bob's next frames are Carol's join and Carol's own chunk, never Alice's.
        await carol.SendChunkAsync("visible");
        var chunk = await bob.NextOfTypeAsync("chunk");
        Assert.Equal("visible", chunk.GetProperty("text").GetString());
        Assert.DoesNotContain(bob.Received, f => f.GetRawText().Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CancelAndLeaveClearTheDraftForOthers()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");

        await bob.SendChunkAsync("never mind");
        await alice.NextOfTypeAsync("chunk");
        await bob.SendAsync(new { type = "cancel" });
        var cleared = await alice.NextOfTypeAsync("cleared");
        Assert.Equal(bob.ConnectionId, cleared.GetProperty("connectionId").GetString());
        Assert.Equal("cancelled", cleared.GetProperty("reason").GetString());

        await bob.SendChunkAsync("typing then gone");
        await alice.NextOfTypeAsync("chunk");
        var bobId = bob.ConnectionId;
        await bob.DisposeAsync();
        var left = await alice.NextOfTypeAsync("left");
        Assert.Equal(bobId, left.GetProperty("connectionId").GetString());

        var (carol, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Carol");
        await using var _c = carol;
        Assert.Empty(welcome.GetProperty("drafts").EnumerateArray());
        Assert.DoesNotContain(welcome.GetProperty("participants").EnumerateArray(), p => p.GetProperty("name").GetString() == "Bob");
    }

    [Fact]
    public async Task AResyncRequestAnswersWithAFreshWelcome()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, first) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        await alice.SendCommitAsync("kept", "k-1");
        await alice.NextOfTypeAsync("commit");

        await alice.SendAsync(new { type = "resync" });
        var again = await alice.NextOfTypeAsync("welcome");
        Assert.Equal(alice.ConnectionId, again.GetProperty("connectionId").GetString());
        Assert.True(again.GetProperty("seq").GetInt64() > first.GetProperty("seq").GetInt64());
        Assert.Equal("kept", Assert.Single(again.GetProperty("history").EnumerateArray()).GetProperty("text").GetString());
    }

    [Fact]
    public async Task HealthEndpointAnswers()
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheShellPageIsServed()
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var html = await http.GetStringAsync(new Uri("/", UriKind.Relative));
        Assert.Contains("<title>OrleansChat</title>", html, StringComparison.Ordinal);
    }

    internal static string TypeOf(JsonElement frame) => frame.GetProperty("type").GetString()!;
}

[Collection(ServerFeedCollection.Name)]
public sealed class RelayTestsWithOneFeedPerRoom(ServerFeedFixture fixture) : RelayTests(fixture);

[Collection(ConnectionFeedCollection.Name)]
public sealed class RelayTestsWithOneFeedPerSocket(ConnectionFeedFixture fixture) : RelayTests(fixture);

[Collection(QueueTapFeedCollection.Name)]
public sealed class RelayTestsWithQueueTaps(QueueTapFeedFixture fixture) : RelayTests(fixture);
