using OrleansChat.Events;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class RoomSequence(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task RoomSeqGrowsByExactlyOnePerPublishedEvent()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);

        // Published: join, join, chunk, chunk, chunk, commit, cancel, leave, leave (9 events).
        // Refused or no-op calls in between publish nothing and must not use up a room seq.
        var aliceJoin = await room.JoinOkAsync("conn-alice", "Alice");
        await room.Join("conn-alice", "Alice");
        await room.Join("conn-bad", " ");
        var bobJoin = await room.JoinOkAsync("conn-bob", "Bob");
        await room.DraftOkAsync("conn-alice", "he", 1);
        await room.DraftOkAsync("conn-alice", "hello", 2);
        await room.UpdateDraft("conn-alice", "h", 1);
        await room.UpdateDraft("conn-alice", "hello", -3);
        await room.DraftOkAsync("conn-bob", "sure", 1);
        var message = await room.CommitOkAsync("conn-alice", "hello", "msg-1");
        await room.Commit("conn-alice", "hello", "msg-1");
        await room.Commit("conn-alice", " ", "msg-2");
        await room.CancelDraft("conn-alice");
        await room.CancelDraft("conn-bob");
        await room.CancelDraft("conn-bob");
        await room.Leave("conn-alice");
        await room.Leave("conn-alice");
        var beforeLastLeave = await room.GetSnapshot();
        await room.Leave("conn-bob");

        var published = await events.NextAsync(9);
        Assert.Collection(
            published,
            e => Assert.IsType<ParticipantJoined>(e),
            e => Assert.IsType<ParticipantJoined>(e),
            e => Assert.IsType<DraftChunk>(e),
            e => Assert.IsType<DraftChunk>(e),
            e => Assert.IsType<DraftChunk>(e),
            e => Assert.IsType<MessageCommitted>(e),
            e => Assert.IsType<DraftCleared>(e),
            e => Assert.IsType<ParticipantLeft>(e),
            e => Assert.IsType<ParticipantLeft>(e));
        for (var i = 1; i < published.Count; i++)
        {
            Assert.True(
                published[i].Seq == published[i - 1].Seq + 1,
                $"Event {i} ({published[i]}) does not follow event {i - 1} ({published[i - 1]}) by exactly one.");
            Assert.Equal(published[i - 1].Seq, published[i].PrevSeq);
        }

        Assert.Equal(0, published[0].PrevSeq);

        Assert.All(published, e => Assert.Equal(roomId, e.RoomId));
        Assert.Equal(published[0].Seq, aliceJoin.Seq);
        Assert.Equal(published[1].Seq, bobJoin.Seq);
        Assert.Equal(published[5].Seq, message.Seq);
        Assert.Equal(published[7].Seq, beforeLastLeave.Seq);
        Assert.Equal(published[8].Seq, (await room.GetSnapshot()).Seq);
    }
}
