using OrleansChat.Events;

namespace OrleansChat.Grains.Tests;

/// <summary>What a room does when writing its state fails (the storage is made to fail on purpose).</summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class StorageFailures(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task CommitThatFailedToStoreIsNotPublishedAndCanBeRetried()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "hello", 1);

        using (StorageFaults.FailNextWrites(roomId, 1))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Commit("conn-alice", "hello", "msg-1"));
        }

        var afterFailure = await room.GetSnapshot();
        Assert.Empty(afterFailure.History);
        Assert.Single(afterFailure.Drafts);

        var retried = await room.CommitOkAsync("conn-alice", "hello", "msg-1");

        Assert.Equal([retried], (await room.GetSnapshot()).History);
        await events.NextAsync<ParticipantJoined>();
        await events.NextAsync<DraftChunk>();
        Assert.Equal(retried, (await events.NextAsync<MessageCommitted>()).Message);
    }

    [Fact]
    public async Task FailedJoinLeavesNoParticipantBehind()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);

        // A fresh room reserves its first block of sequence numbers on the first event: that write fails.
        using (StorageFaults.FailNextWrites(roomId, 1))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Join("conn-alice", "Alice"));
        }

        Assert.Empty((await room.GetSnapshot()).Participants);
        var retry = await room.Join("conn-alice", "Alice");
        Assert.Equal(ChatStatus.Ok, retry.Status);
    }

    [Fact]
    public async Task SeqStaysAboveEverythingPublishedWhenASeqReservationWriteFailed()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);

        using (StorageFaults.FailNextWrites(roomId, 1))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Join("conn-alice", "Alice"));
        }

        // The room goes on publishing after the failed reservation write.
        await room.JoinOkAsync("conn-bob", "Bob");
        await room.DraftOkAsync("conn-bob", "hi", 1);
        var published = await events.NextAsync(2);
        var highestPublished = published.Max(e => e.Seq);

        await cluster.Cluster.DeactivateAsync(room);
        var snapshot = await room.JoinOkAsync("conn-carol", "Carol");

        Assert.True(
            snapshot.Seq > highestPublished,
            $"The new activation published seq {snapshot.Seq}, but seq {highestPublished} was already published by the previous one.");
    }
}
