namespace OrleansChat.Cluster.Tests;

[Collection(TwoSiloClusterCollection.Name)]
public sealed class CrossNodeTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task ChunksFromASocketOnOneWebFrontReachASocketOnTheOtherInOrderThenTheCommit()
    {
        const string room = "cross-node";
        var (alice, aliceWelcome) = await ChatSocket.JoinAsync(fixture.WebFront1.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, bobWelcome) = await ChatSocket.JoinAsync(fixture.WebFront2.SocketUri, room, "Bob");
        await using var _b = bob;

        // Each client really sits on a different WebFront (each a client of a different silo).
        Assert.NotEqual(aliceWelcome.GetProperty("server").GetString(), bobWelcome.GetProperty("server").GetString());
        await alice.NextOfTypeAsync("joined");

        var typed = "Streaming across nodes";
        for (var i = 1; i <= typed.Length; i++)
        {
            await alice.SendChunkAsync(typed[..i]);
        }

        long lastSeq = bobWelcome.GetProperty("seq").GetInt64();
        for (var i = 1; i <= typed.Length; i++)
        {
            var chunk = await bob.NextOfTypeAsync("chunk");
            Assert.Equal(typed[..i], chunk.GetProperty("text").GetString());
            var seq = chunk.GetProperty("seq").GetInt64();
            Assert.Equal(lastSeq + 1, seq);
            lastSeq = seq;
        }

        await alice.SendCommitAsync(typed, "cross-1");
        var commit = await bob.NextOfTypeAsync("commit");
        Assert.Equal(typed, commit.GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(lastSeq + 1, commit.GetProperty("seq").GetInt64());

        // And back the other way.
        await bob.SendChunkAsync("reply");
        var reply = await alice.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk"
            && f.GetProperty("connectionId").GetString() == bob.ConnectionId);
        Assert.Equal("reply", reply.GetProperty("text").GetString());
    }

    [Fact]
    public async Task ParticipantsOnBothWebFrontsShareOneRoomState()
    {
        const string room = "shared-state";
        var (alice, _) = await ChatSocket.JoinAsync(fixture.WebFront1.SocketUri, room, "Alice");
        await using var _a = alice;
        await alice.SendCommitAsync("from node one", "n1");
        await alice.NextOfTypeAsync("commit");
        await alice.SendChunkAsync("typing on node one");

        var (bob, welcome) = await ChatSocket.JoinAsync(fixture.WebFront2.SocketUri, room, "Bob");
        await using var _b = bob;
        Assert.Contains(welcome.GetProperty("history").EnumerateArray(), m => m.GetProperty("text").GetString() == "from node one");
        Assert.Contains(welcome.GetProperty("participants").EnumerateArray(), p => p.GetProperty("name").GetString() == "Alice");
    }
}
