using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class LeavingARoom(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task LeaveRemovesTheParticipantAndItsDraft()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.JoinOkAsync("conn-bob", "Bob");
        await room.DraftOkAsync("conn-alice", "half a thought", 1);
        await room.DraftOkAsync("conn-bob", "bob's draft", 1);

        await room.Leave("conn-alice");

        var snapshot = await room.GetSnapshot();
        Assert.Equal([new Participant("conn-bob", "Bob")], snapshot.Participants);
        Assert.Equal([new Draft("conn-bob", "bob's draft", 1)], snapshot.Drafts);
        Assert.Equal(ChatStatus.NotJoined, await room.UpdateDraft("conn-alice", "still here?", 2));
    }

    [Fact]
    public async Task LeavePublishesParticipantLeft()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var joined = await room.JoinOkAsync("conn-alice", "Alice");

        await room.Leave("conn-alice");

        await events.NextAsync<ParticipantJoined>();
        var left = await events.NextAsync<ParticipantLeft>();
        Assert.Equal(roomId, left.RoomId);
        Assert.Equal("conn-alice", left.ConnectionId);
        Assert.Equal(joined.Seq + 1, left.Seq);
        Assert.Empty((await room.GetSnapshot()).Participants);
    }

    [Fact]
    public async Task LeavingTwiceIsHarmless()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.JoinOkAsync("conn-bob", "Bob");
        await room.Leave("conn-alice");

        await room.Leave("conn-alice");

        // Only one left event: the next event after it is Bob's marker chunk.
        await room.DraftOkAsync("conn-bob", "marker", 1);
        await events.NextAsync(2);
        var left = await events.NextAsync<ParticipantLeft>();
        var marker = await events.NextAsync<DraftChunk>();
        Assert.Equal(left.Seq + 1, marker.Seq);
        Assert.Equal([new Participant("conn-bob", "Bob")], (await room.GetSnapshot()).Participants);
    }

    [Theory]
    [InlineData("conn-never-joined")]
    [InlineData("")]
    [InlineData("has space")]
    public async Task LeaveOfAConnectionThatIsNotInTheRoomDoesNothing(string connectionId)
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var joined = await room.JoinOkAsync("conn-alice", "Alice");

        await room.Leave(connectionId);

        var snapshot = await room.GetSnapshot();
        Assert.Equal(joined.Seq, snapshot.Seq);
        Assert.Equal(joined.Participants, snapshot.Participants);
        await room.DraftOkAsync("conn-alice", "marker", 1);
        await events.NextAsync<ParticipantJoined>();
        Assert.Equal(joined.Seq + 1, (await events.NextAsync<DraftChunk>()).Seq);
    }
}
