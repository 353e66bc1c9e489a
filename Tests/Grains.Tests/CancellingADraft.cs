using OrleansChat.Events;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class CancellingADraft(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task CancelBeforeJoinIsNotJoined()
    {
        var room = cluster.Room(TestRooms.NewId());

        Assert.Equal(ChatStatus.NotJoined, await room.CancelDraft("conn-alice"));
    }

    [Fact]
    public async Task CancelClearsTheDraftAndPublishesDraftCleared()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "never mind", 1);

        var status = await room.CancelDraft("conn-alice");

        Assert.Equal(ChatStatus.Ok, status);
        Assert.Empty((await room.GetSnapshot()).Drafts);
        await events.NextAsync<ParticipantJoined>();
        var chunk = await events.NextAsync<DraftChunk>();
        var cleared = await events.NextAsync<DraftCleared>();
        Assert.Equal(roomId, cleared.RoomId);
        Assert.Equal("conn-alice", cleared.ConnectionId);
        Assert.Equal(DraftClearReason.Cancelled, cleared.Reason);
        Assert.Equal(chunk.Seq + 1, cleared.Seq);
    }

    [Fact]
    public async Task CancelWithoutADraftReturnsOkAndPublishesNothing()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var joined = await room.JoinOkAsync("conn-alice", "Alice");

        var status = await room.CancelDraft("conn-alice");

        Assert.Equal(ChatStatus.Ok, status);
        Assert.Equal(joined.Seq, (await room.GetSnapshot()).Seq);
        await room.DraftOkAsync("conn-alice", "marker", 1);
        await events.NextAsync<ParticipantJoined>();
        var marker = await events.NextAsync<DraftChunk>();
        Assert.Equal(joined.Seq + 1, marker.Seq);
    }

    [Fact]
    public async Task CancelAfterCommitPublishesNothing()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "hello", 1);
        var message = await room.CommitOkAsync("conn-alice", "hello", "msg-1");

        Assert.Equal(ChatStatus.Ok, await room.CancelDraft("conn-alice"));

        await room.DraftOkAsync("conn-alice", "marker", 2);
        await events.NextAsync(3);
        var marker = await events.NextAsync<DraftChunk>();
        Assert.Equal(message.Seq + 1, marker.Seq);
    }
}
