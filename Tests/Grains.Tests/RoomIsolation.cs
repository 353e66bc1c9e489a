using OrleansChat.Events;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class RoomIsolation(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task EventsOfOneRoomNeverReachASubscriberOfAnother()
    {
        var roomA = TestRooms.NewId();
        var roomB = TestRooms.NewId();
        await using var eventsA = await cluster.SubscribeAsync(roomA);
        await using var eventsB = await cluster.SubscribeAsync(roomB);
        var a = cluster.Room(roomA);
        var b = cluster.Room(roomB);

        // The same connection id in both rooms: only the room id tells the events apart.
        await a.JoinOkAsync("conn-alice", "Alice");
        await a.DraftOkAsync("conn-alice", "only in A", 1);
        await a.CommitOkAsync("conn-alice", "only in A", "msg-1");
        await b.JoinOkAsync("conn-alice", "Alice in B");
        await a.Leave("conn-alice");
        await b.DraftOkAsync("conn-alice", "only in B", 1);

        var inA = await eventsA.NextAsync(4);
        var joinedB = await eventsB.NextAsync<ParticipantJoined>();
        var chunkB = await eventsB.NextAsync<DraftChunk>();

        Assert.All(inA, e => Assert.Equal(roomA, e.RoomId));
        Assert.Equal(roomB, joinedB.RoomId);
        Assert.Equal("Alice in B", joinedB.Participant.Name);
        Assert.Equal(roomB, chunkB.RoomId);
        Assert.Equal("only in B", chunkB.Text);
        Assert.Empty(eventsA.Pending());
        Assert.Empty(eventsB.Pending());
        Assert.DoesNotContain((await b.GetSnapshot()).History, m => m.Text == "only in A");
    }
}
