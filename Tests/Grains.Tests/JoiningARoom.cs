using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

[Collection(DefaultLimitsCluster.Name)]
public sealed class JoiningARoom(DefaultLimitsClusterFixture cluster)
{
    public static TheoryData<string, ChatStatus> InvalidNames => new()
    {
        { "", ChatStatus.NameRequired },
        { "   ", ChatStatus.NameRequired },
        { "\t\r\n", ChatStatus.NameRequired },
        { new string('n', new ChatLimits().MaxNameLength + 1), ChatStatus.NameTooLong },
        { "Al\u0007ice", ChatStatus.NameInvalid },
        { "Al\nice", ChatStatus.NameInvalid },
        { "Alice\u0000", ChatStatus.NameInvalid },
    };

    public static TheoryData<string> InvalidRoomKeys => new()
    {
        "Bad Room!",
        "Lobby",
        "-lobby",
        "lobby/1",
        new string('a', ChatValidation.MaxRoomIdLength + 1),
    };

    public static TheoryData<string?> InvalidConnectionIds => new()
    {
        null,
        "",
        "has space",
        "conn/1",
        "conn\u00e9",
        new string('c', 65),
    };

    [Fact]
    public async Task JoinReturnsASnapshotWithTheParticipantAndTheRoomSeq()
    {
        var roomId = TestRooms.NewId();
        await using var events = await cluster.SubscribeAsync(roomId);

        var result = await cluster.Room(roomId).Join("conn-alice", "Alice");

        Assert.Equal(ChatStatus.Ok, result.Status);
        var snapshot = Assert.IsType<RoomSnapshot>(result.Snapshot);
        Assert.Equal(roomId, snapshot.RoomId);
        Assert.Equal([new Participant("conn-alice", "Alice")], snapshot.Participants);
        Assert.Empty(snapshot.Drafts);
        Assert.Empty(snapshot.History);
        var joined = await events.NextAsync<ParticipantJoined>();
        Assert.Equal(joined.Seq, snapshot.Seq);
    }

    [Fact]
    public async Task JoinPublishesParticipantJoined()
    {
        var roomId = TestRooms.NewId();
        await using var events = await cluster.SubscribeAsync(roomId);

        await cluster.Room(roomId).JoinOkAsync("conn-alice", "Alice");

        var joined = await events.NextAsync<ParticipantJoined>();
        Assert.Equal(roomId, joined.RoomId);
        Assert.Equal(new Participant("conn-alice", "Alice"), joined.Participant);
    }

    [Fact]
    public async Task SecondJoinSeesTheFirstParticipant()
    {
        var room = cluster.Room(TestRooms.NewId());
        var first = await room.JoinOkAsync("conn-alice", "Alice");

        var second = await room.JoinOkAsync("conn-bob", "Bob");

        Assert.Equal(
            [new Participant("conn-alice", "Alice"), new Participant("conn-bob", "Bob")],
            second.Participants.OrderBy(p => p.ConnectionId, StringComparer.Ordinal));
        Assert.True(second.Seq > first.Seq);
    }

    [Fact]
    public async Task DisplayNameIsTrimmed()
    {
        var room = cluster.Room(TestRooms.NewId());

        var snapshot = await room.JoinOkAsync("conn-alice", "  Alice \t");

        Assert.Equal("Alice", Assert.Single(snapshot.Participants).Name);
    }

    [Fact]
    public async Task NameOfExactlyTheMaximumLengthIsAccepted()
    {
        var name = new string('n', new ChatLimits().MaxNameLength);

        var snapshot = await cluster.Room(TestRooms.NewId()).JoinOkAsync("conn-alice", name);

        Assert.Equal(name, Assert.Single(snapshot.Participants).Name);
    }

    [Fact]
    public async Task SecondJoinOfTheSameConnectionIsAlreadyJoined()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");

        var again = await room.Join("conn-alice", "Alice again");

        Assert.Equal(ChatStatus.AlreadyJoined, again.Status);
        Assert.Null(again.Snapshot);
        var snapshot = await room.GetSnapshot();
        Assert.Equal([new Participant("conn-alice", "Alice")], snapshot.Participants);

        // Nothing was published for the refused join: the next event after Alice's is Bob's.
        await room.JoinOkAsync("conn-bob", "Bob");
        Assert.Equal("conn-alice", (await events.NextAsync<ParticipantJoined>()).Participant.ConnectionId);
        Assert.Equal("conn-bob", (await events.NextAsync<ParticipantJoined>()).Participant.ConnectionId);
    }

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task InvalidDisplayNameIsRefused(string name, ChatStatus expected)
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);

        var result = await room.Join("conn-alice", name);

        Assert.Equal(expected, result.Status);
        Assert.Null(result.Snapshot);
        Assert.Empty((await room.GetSnapshot()).Participants);
        await room.JoinOkAsync("conn-bob", "Bob");
        Assert.Equal("conn-bob", (await events.NextAsync<ParticipantJoined>()).Participant.ConnectionId);
    }

    [Fact]
    public async Task NullDisplayNameIsNameRequired()
    {
        var result = await cluster.Room(TestRooms.NewId()).Join("conn-alice", null!);

        Assert.Equal(ChatStatus.NameRequired, result.Status);
    }

    [Theory]
    [MemberData(nameof(InvalidRoomKeys))]
    public async Task InvalidRoomKeyIsInvalidRoom(string roomKey)
    {
        var room = cluster.Room(roomKey);

        var join = await room.Join("conn-alice", "Alice");
        var draft = await room.UpdateDraft("conn-alice", "hi", 1);
        var commit = await room.Commit("conn-alice", "hi", "msg-1");
        var cancel = await room.CancelDraft("conn-alice");
        await room.Leave("conn-alice");

        Assert.Equal(ChatStatus.InvalidRoom, join.Status);
        Assert.Null(join.Snapshot);
        Assert.Equal(ChatStatus.InvalidRoom, draft);
        Assert.Equal(ChatStatus.InvalidRoom, commit.Status);
        Assert.Equal(ChatStatus.InvalidRoom, cancel);
        Assert.Empty((await room.GetSnapshot()).Participants);
    }

    [Theory]
    [MemberData(nameof(InvalidConnectionIds))]
    public async Task InvalidConnectionIdIsInvalidConnection(string? connectionId)
    {
        var room = cluster.Room(TestRooms.NewId());

        var result = await room.Join(connectionId!, "Alice");

        Assert.Equal(ChatStatus.InvalidConnection, result.Status);
        Assert.Null(result.Snapshot);
        Assert.Empty((await room.GetSnapshot()).Participants);
    }
}
