using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class CommittingAMessage(DefaultLimitsClusterFixture cluster)
{
    public static TheoryData<string> BlankTexts => ["", " ", "\t\r\n  "];

    public static TheoryData<string?> InvalidClientMessageIds => new()
    {
        null,
        "",
        "has space",
        "msg.1",
        new string('m', ChatValidation.MaxClientMessageIdLength + 1),
    };

    [Fact]
    public async Task CommitBeforeJoinIsNotJoined()
    {
        var room = cluster.Room(TestRooms.NewId());

        var result = await room.Commit("conn-alice", "hello", "msg-1");

        Assert.Equal(ChatStatus.NotJoined, result.Status);
        Assert.Null(result.Message);
        Assert.Empty((await room.GetSnapshot()).History);
    }

    [Fact]
    public async Task CommitPublishesMessageCommittedWithTheMessage()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        var joined = await room.JoinOkAsync("conn-alice", "Alice");

        var message = await room.CommitOkAsync("conn-alice", "hello world", "msg-1");

        Assert.Equal("hello world", message.Text);
        Assert.Equal("msg-1", message.ClientMessageId);
        Assert.Equal("conn-alice", message.ConnectionId);
        Assert.Equal("Alice", message.SenderName);
        Assert.Equal(joined.Seq + 1, message.Seq);
        await events.NextAsync<ParticipantJoined>();
        var committed = await events.NextAsync<MessageCommitted>();
        Assert.Equal(roomId, committed.RoomId);
        Assert.Equal(message.Seq, committed.Seq);
        Assert.Equal(message, committed.Message);
    }

    [Fact]
    public async Task CommittedMessagesAreInTheSnapshotHistoryInOrder()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.JoinOkAsync("conn-bob", "Bob");

        var first = await room.CommitOkAsync("conn-alice", "hi bob", "msg-a1");
        var second = await room.CommitOkAsync("conn-bob", "hi alice", "msg-b1");

        Assert.Equal([first, second], (await room.GetSnapshot()).History);
        var joiner = await room.JoinOkAsync("conn-carol", "Carol");
        Assert.Equal([first, second], joiner.History);
    }

    [Fact]
    public async Task CommitRemovesOnlyTheCommittersDraft()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.JoinOkAsync("conn-bob", "Bob");
        await room.DraftOkAsync("conn-alice", "hello", 1);
        await room.DraftOkAsync("conn-bob", "hey", 1);

        await room.CommitOkAsync("conn-alice", "hello", "msg-1");

        Assert.Equal([new Draft("conn-bob", "hey", 1)], (await room.GetSnapshot()).Drafts);
    }

    [Fact]
    public async Task RetriedCommitIsADuplicateAndIsStoredOnce()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        var original = await room.CommitOkAsync("conn-alice", "hello", "msg-1");

        var retry = await room.Commit("conn-alice", "hello", "msg-1");
        var retryWithOtherText = await room.Commit("conn-alice", "hello again", "msg-1");

        Assert.Equal(ChatStatus.Duplicate, retry.Status);
        Assert.Equal(original, retry.Message);
        Assert.Equal(ChatStatus.Duplicate, retryWithOtherText.Status);
        Assert.Equal(original, retryWithOtherText.Message);
        var snapshot = await room.GetSnapshot();
        Assert.Equal([original], snapshot.History);
        Assert.Equal(original.Seq, snapshot.Seq);

        // No second commit event: the next event after the commit is the marker chunk.
        await room.DraftOkAsync("conn-alice", "marker", 1);
        await events.NextAsync<ParticipantJoined>();
        Assert.Equal(original, (await events.NextAsync<MessageCommitted>()).Message);
        var marker = await events.NextAsync<DraftChunk>();
        Assert.Equal("marker", marker.Text);
        Assert.Equal(original.Seq + 1, marker.Seq);
    }

    [Fact]
    public async Task RetryFromANewConnectionIsADuplicate()
    {
        // A tab whose socket dropped reconnects (new connection id) and retries its unacknowledged commit.
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice-1", "Alice");
        var original = await room.CommitOkAsync("conn-alice-1", "hello", "msg-1");
        await room.Leave("conn-alice-1");
        await room.JoinOkAsync("conn-alice-2", "Alice");

        var retry = await room.Commit("conn-alice-2", "hello", "msg-1");

        Assert.Equal(ChatStatus.Duplicate, retry.Status);
        Assert.Equal(original, retry.Message);
        Assert.Equal([original], (await room.GetSnapshot()).History);
    }

    [Theory]
    [MemberData(nameof(BlankTexts))]
    public async Task BlankTextIsTextRequired(string text)
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");

        var result = await room.Commit("conn-alice", text, "msg-1");

        Assert.Equal(ChatStatus.TextRequired, result.Status);
        Assert.Null(result.Message);
        Assert.Empty((await room.GetSnapshot()).History);
    }

    [Fact]
    public async Task NullTextIsTextRequired()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");

        var result = await room.Commit("conn-alice", null!, "msg-1");

        Assert.Equal(ChatStatus.TextRequired, result.Status);
    }

    [Fact]
    public async Task TextOverTheLimitIsTextTooLong()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        var limit = new ChatLimits().MaxDraftLength;

        var tooLong = await room.Commit("conn-alice", new string('x', limit + 1), "msg-1");
        var atLimit = await room.Commit("conn-alice", new string('x', limit), "msg-2");

        Assert.Equal(ChatStatus.TextTooLong, tooLong.Status);
        Assert.Equal(ChatStatus.Ok, atLimit.Status);
        Assert.Equal("msg-2", Assert.Single((await room.GetSnapshot()).History).ClientMessageId);
    }

    [Theory]
    [MemberData(nameof(InvalidClientMessageIds))]
    public async Task InvalidClientMessageIdIsRefused(string? clientMessageId)
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");

        var result = await room.Commit("conn-alice", "hello", clientMessageId!);

        Assert.Equal(ChatStatus.InvalidMessageId, result.Status);
        Assert.Null(result.Message);
        Assert.Empty((await room.GetSnapshot()).History);
    }

    [Fact]
    public async Task ClientMessageIdOfExactlyTheMaximumLengthIsAccepted()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        var id = new string('m', ChatValidation.MaxClientMessageIdLength);

        var message = await room.CommitOkAsync("conn-alice", "hello", id);

        Assert.Equal(id, message.ClientMessageId);
    }
}
