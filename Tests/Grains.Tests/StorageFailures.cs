using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// What a room does when its history store fails (made to fail on purpose): nothing is changed in memory, published
/// or confirmed unless the store holds it, and a retry with the same id stores a message exactly once.
/// </summary>
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
    public async Task CommitWhoseWriteAndThenReadFailedIsNeverShownAndIsStoredOnceOnRetry()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await events.NextAsync<ParticipantJoined>();

        // The append fails, and so does the read the room makes before it answers from memory again.
        using (StorageFaults.FailNextWrites(roomId, 1))
        using (StorageFaults.FailNextReads(roomId, 2))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Commit("conn-alice", "hello", "msg-1"));
            await Assert.ThrowsAnyAsync<Exception>(() => room.Commit("conn-alice", "hello", "msg-1"));
            await Assert.ThrowsAnyAsync<Exception>(() => room.GetSnapshot());
        }

        Assert.Empty((await room.GetSnapshot()).History);
        Assert.Empty(events.Pending().OfType<MessageCommitted>());

        var stored = await room.CommitOkAsync("conn-alice", "hello", "msg-1");
        var again = await room.Commit("conn-alice", "hello", "msg-1");

        Assert.Equal(ChatStatus.Duplicate, again.Status);
        Assert.Equal(stored, again.Message);
        Assert.Equal([stored], (await room.GetSnapshot()).History);
        Assert.Equal(stored, (await events.NextAsync<MessageCommitted>()).Message);
        await cluster.Cluster.DeactivateAsync(room);
        Assert.Equal([stored], (await room.GetSnapshot()).History);
    }

    [Fact]
    public async Task CommitStoredWhoseAnswerWasLostIsRecognisedOnRetryAndEveryoneResyncs()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var joined = await room.JoinOkAsync("conn-alice", "Alice");
        await events.NextAsync<ParticipantJoined>();

        using (StorageFaults.LoseNextWriteAnswers(roomId, 1))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Commit("conn-alice", "hello", "msg-1"));
        }

        // The room cannot know whether it was stored, so it reads the store again: there it is, shown once.
        var retry = await room.Commit("conn-alice", "hello", "msg-1");
        Assert.Equal(ChatStatus.Duplicate, retry.Status);
        var message = Assert.IsType<ChatMessage>(retry.Message);
        Assert.Equal("hello", message.Text);
        Assert.Equal([message], (await room.GetSnapshot()).History);

        // Nobody saw its commit event; the next event's seq leaves a gap, so every subscriber resyncs and finds it.
        await room.DraftOkAsync("conn-alice", "next", 2);
        var next = await events.NextAsync<DraftChunk>();
        Assert.True(next.Seq > joined.Seq + 1, $"Expected a gap after seq {joined.Seq}, got {next.Seq}.");
        Assert.Empty(events.Received.OfType<MessageCommitted>());
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

    [Fact]
    public async Task ARoomWhoseStoreCannotBeReadAnswersUnavailableAndRecovers()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        var first = await room.CommitOkAsync("conn-alice", "first", "msg-1");
        await room.Leave("conn-alice");
        await cluster.Cluster.DeactivateAsync(room);

        using (StorageFaults.FailNextReads(roomId, 1))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Join("conn-bob", "Bob"));
        }

        var snapshot = await room.JoinOkAsync("conn-bob", "Bob");
        Assert.Equal([first], snapshot.History);
    }
}
