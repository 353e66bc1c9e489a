using OrleansChat.Grains.Tests.Infrastructure;
using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class RoomPersistence(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task HistoryAndSequenceSurviveDeactivation()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var history = new List<ChatMessage>();
        var highestSeq = 0L;
        var lastCommitted = 0L;

        // Several activations in a row: each must see all history and number its events above every earlier one.
        for (var activation = 0; activation < 3; activation++)
        {
            var connectionId = $"conn-{activation}";
            var snapshot = await room.JoinOkAsync(connectionId, $"User {activation}");
            Assert.Equal(history, snapshot.History);
            Assert.True(snapshot.Seq > highestSeq, $"Activation {activation} starts at seq {snapshot.Seq}, not above {highestSeq}.");

            var joined = await events.NextAsync<ParticipantJoined>();
            Assert.Equal(snapshot.Seq, joined.Seq);
            // A new activation's first event names the last committed message as its predecessor: the one event a
            // subscriber must have been given before, whatever the previous activation's live events were.
            Assert.Equal(lastCommitted, joined.PrevSeq);
            highestSeq = joined.Seq;

            for (var i = 0; i < 2; i++)
            {
                var message = await room.CommitOkAsync(connectionId, $"message {i} of activation {activation}", $"msg-{activation}-{i}");
                history.Add(message);
                var committed = await events.NextAsync<MessageCommitted>();
                Assert.Equal(message, committed.Message);
                Assert.True(committed.Seq > highestSeq);
                Assert.Equal(highestSeq, committed.PrevSeq);
                highestSeq = committed.Seq;
                lastCommitted = committed.Seq;
            }

            await room.Leave(connectionId);
            var left = await events.NextAsync<ParticipantLeft>();
            Assert.True(left.Seq > highestSeq);
            Assert.Equal(highestSeq, left.PrevSeq);
            highestSeq = left.Seq;

            await cluster.Cluster.DeactivateAsync(room);
        }

        var final = await room.GetSnapshot();
        Assert.Equal(history, final.History);
        Assert.Empty(final.Participants);
        Assert.True(final.Seq >= highestSeq);
    }

    [Fact]
    public async Task MessagesStoredByAnotherActivationAreFoundAndEverySubscriberIsResynchronised()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await events.NextAsync<ParticipantJoined>();
        var first = await room.CommitOkAsync("conn-alice", "first", "msg-first");
        await events.NextAsync<MessageCommitted>();
        Assert.Equal(ChatStatus.Ok, await room.UpdateDraft("conn-alice", "typing", 1));
        Assert.Equal(ChatStatus.Ok, await room.UpdateDraft("conn-alice", "typing on", 2));
        await events.NextAsync<DraftChunk>();
        var lastGiven = await events.NextAsync<DraftChunk>();

        // Two activations of the room for a while (a silo left the cluster): the other one, numbering from its own
        // reservation, stores a message this one never hears of. Its event, if any, is below what this activation's
        // subscribers were given, and this activation's welcomes lack it. Here it is numbered between this
        // activation's last commit and its next number, so only the room's own view, not the order, can tell.
        Assert.Equal(first.Seq + 2, lastGiven.Seq);
        var foreign = new ChatMessage(first.Seq + 1, "msg-other-activation", "conn-bob", "Bob", "said elsewhere",
            DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        StorageFaults.WriteForeignBeforeNextAppend(roomId, foreign);
        var after = await room.CommitOkAsync("conn-alice", "after", "msg-after");

        // The room read itself again: its history has all three, in order, and it numbers above everything stored.
        Assert.True(after.Seq > foreign.Seq);
        Assert.Equal(["msg-first", "msg-other-activation", "msg-after"], (await room.GetSnapshot()).History.Select(m => m.ClientMessageId));

        // And its next event names a predecessor no subscriber was given: every socket asks for a fresh welcome.
        var afterEvent = await events.NextAsync<MessageCommitted>();
        Assert.Equal(after, afterEvent.Message);
        Assert.True(afterEvent.PrevSeq > lastGiven.Seq, $"The event after the catch-up names {afterEvent.PrevSeq}, which subscribers have.");
        Assert.True(afterEvent.PrevSeq < afterEvent.Seq);
    }

    [Fact]
    public async Task RetriedCommitIsStillADuplicateAfterDeactivation()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        var original = await room.CommitOkAsync("conn-alice", "hello", "msg-1");
        await room.Leave("conn-alice");

        await cluster.Cluster.DeactivateAsync(room);
        await room.JoinOkAsync("conn-alice-2", "Alice");
        var retry = await room.Commit("conn-alice-2", "hello", "msg-1");

        Assert.Equal(ChatStatus.Duplicate, retry.Status);
        Assert.Equal(original, retry.Message);
        Assert.Equal([original], (await room.GetSnapshot()).History);
    }
}
