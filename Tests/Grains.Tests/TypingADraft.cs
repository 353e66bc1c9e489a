using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class TypingADraft(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task ChunkBeforeJoinIsNotJoined()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-bob", "Bob");

        var status = await room.UpdateDraft("conn-alice", "hello", 1);

        Assert.Equal(ChatStatus.NotJoined, status);
        Assert.Empty((await room.GetSnapshot()).Drafts);
    }

    [Fact]
    public async Task DraftShowsInTheSnapshot()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");

        await room.DraftOkAsync("conn-alice", "hel", 1);
        await room.DraftOkAsync("conn-alice", "hello", 2);

        Assert.Equal([new Draft("conn-alice", "hello", 2)], (await room.GetSnapshot()).Drafts);
    }

    [Fact]
    public async Task JoinerSeesTheDraftsOfOthers()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "typing", 7);

        var snapshot = await room.JoinOkAsync("conn-bob", "Bob");

        Assert.Equal([new Draft("conn-alice", "typing", 7)], snapshot.Drafts);
    }

    [Fact]
    public async Task ChunkIsPublishedWithItsTextAndSenderSeq()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var joined = await room.JoinOkAsync("conn-alice", "Alice");

        await room.DraftOkAsync("conn-alice", "hello, wor", 41);

        await events.NextAsync<ParticipantJoined>();
        var chunk = await events.NextAsync<DraftChunk>();
        Assert.Equal(roomId, chunk.RoomId);
        Assert.Equal(joined.Seq + 1, chunk.Seq);
        Assert.Equal("conn-alice", chunk.ConnectionId);
        Assert.Equal("hello, wor", chunk.Text);
        Assert.Equal(41, chunk.SenderSeq);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(0)]
    public async Task ChunkOlderThanTheLastOneIsDropped(long staleSeq)
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "hello", 5);

        var status = await room.UpdateDraft("conn-alice", "hell", staleSeq);

        Assert.Equal(ChatStatus.Stale, status);
        Assert.Equal([new Draft("conn-alice", "hello", 5)], (await room.GetSnapshot()).Drafts);

        // The stale chunk was neither published nor given a room seq: the next chunk follows the last one directly.
        await room.DraftOkAsync("conn-alice", "hello!", 6);
        await events.NextAsync<ParticipantJoined>();
        var accepted = await events.NextAsync<DraftChunk>();
        var next = await events.NextAsync<DraftChunk>();
        Assert.Equal("hello", accepted.Text);
        Assert.Equal("hello!", next.Text);
        Assert.Equal(accepted.Seq + 1, next.Seq);
    }

    [Fact]
    public async Task SenderSeqIsTrackedPerConnection()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.JoinOkAsync("conn-bob", "Bob");
        await room.DraftOkAsync("conn-alice", "alice typing", 50);

        await room.DraftOkAsync("conn-bob", "bob typing", 1);

        Assert.Equal(
            [new Draft("conn-alice", "alice typing", 50), new Draft("conn-bob", "bob typing", 1)],
            (await room.GetSnapshot()).Drafts.OrderBy(d => d.ConnectionId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ChunkDelayedPastACommitDoesNotBringTheDraftBack()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "hel", 1);
        await room.DraftOkAsync("conn-alice", "hello", 2);
        await room.CommitOkAsync("conn-alice", "hello", "msg-1");

        var late = await room.UpdateDraft("conn-alice", "hel", 1);
        var sameSeq = await room.UpdateDraft("conn-alice", "hello", 2);

        Assert.Equal(ChatStatus.Stale, late);
        Assert.Equal(ChatStatus.Stale, sameSeq);
        Assert.Empty((await room.GetSnapshot()).Drafts);

        await room.DraftOkAsync("conn-alice", "next", 3);
        await events.NextAsync(4);
        var next = await events.NextAsync<DraftChunk>();
        Assert.Equal("next", next.Text);
        Assert.Equal([new Draft("conn-alice", "next", 3)], (await room.GetSnapshot()).Drafts);
    }

    [Fact]
    public async Task ChunkDelayedPastACancelDoesNotBringTheDraftBack()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "oops", 4);
        Assert.Equal(ChatStatus.Ok, await room.CancelDraft("conn-alice"));

        var late = await room.UpdateDraft("conn-alice", "oop", 3);

        Assert.Equal(ChatStatus.Stale, late);
        Assert.Empty((await room.GetSnapshot()).Drafts);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public async Task NegativeSenderSeqIsInvalidSequence(long senderSeq)
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");

        var status = await room.UpdateDraft("conn-alice", "hello", senderSeq);

        Assert.Equal(ChatStatus.InvalidSequence, status);
        Assert.Empty((await room.GetSnapshot()).Drafts);
    }

    [Fact]
    public async Task TextOverTheDraftLimitIsTextTooLong()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        var limit = new ChatLimits().MaxDraftLength;

        var tooLong = await room.UpdateDraft("conn-alice", new string('x', limit + 1), 1);
        var atLimit = await room.UpdateDraft("conn-alice", new string('x', limit), 2);

        Assert.Equal(ChatStatus.TextTooLong, tooLong);
        Assert.Equal(ChatStatus.Ok, atLimit);
        // Kept whole; a snapshot (a welcome) carries a preview of a long draft, marked as such.
        var draft = Assert.Single((await room.GetSnapshot()).Drafts);
        Assert.Equal(new ChatLimits().SnapshotDraftPreviewChars, draft.Text.Length);
        Assert.True(draft.Truncated);
    }

    [Fact]
    public async Task EmptyChunkRemovesTheDraftFromTheSnapshot()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.DraftOkAsync("conn-alice", "h", 1);

        await room.DraftOkAsync("conn-alice", "", 2);

        Assert.Empty((await room.GetSnapshot()).Drafts);
        await events.NextAsync(2);
        var emptied = await events.NextAsync<DraftChunk>();
        Assert.Equal(string.Empty, emptied.Text);
        Assert.Equal(2, emptied.SenderSeq);
    }
}
