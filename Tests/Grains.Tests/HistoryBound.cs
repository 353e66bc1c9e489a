using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

[Collection(SmallLimitsCluster.Name)]
public sealed class HistoryBound(SmallLimitsClusterFixture cluster)
{
    [Fact]
    public async Task HistoryKeepsOnlyTheNewestMessagesInOrder()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        var committed = new List<ChatMessage>();

        for (var i = 1; i <= 8; i++)
        {
            committed.Add(await room.CommitOkAsync("conn-alice", $"message {i}", $"msg-{i}"));
        }

        var newest = committed.TakeLast(SmallLimitsSiloConfigurator.MaxHistory).ToList();
        Assert.Equal(newest, (await room.GetSnapshot()).History);
        Assert.Equal(newest, (await room.JoinOkAsync("conn-bob", "Bob")).History);
        Assert.Equal(["message 4", "message 5", "message 6", "message 7", "message 8"], newest.Select(m => m.Text));
    }

    [Fact]
    public async Task HistoryBoundHoldsAcrossDeactivation()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        var committed = new List<ChatMessage>();
        for (var i = 1; i <= 7; i++)
        {
            committed.Add(await room.CommitOkAsync("conn-alice", $"message {i}", $"msg-{i}"));
        }

        await room.Leave("conn-alice");
        await cluster.Cluster.DeactivateAsync(room);

        var snapshot = await room.JoinOkAsync("conn-bob", "Bob");
        Assert.Equal(committed.TakeLast(SmallLimitsSiloConfigurator.MaxHistory), snapshot.History);
    }

    [Fact]
    public async Task JoinBeyondTheParticipantLimitIsRoomFull()
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-alice", "Alice");
        await room.JoinOkAsync("conn-bob", "Bob");

        var third = await room.Join("conn-carol", "Carol");

        Assert.Equal(ChatStatus.RoomFull, third.Status);
        Assert.Null(third.Snapshot);
        Assert.Equal(SmallLimitsSiloConfigurator.MaxParticipantsPerRoom, (await room.GetSnapshot()).Participants.Count);
        await room.Leave("conn-bob");
        await room.JoinOkAsync("conn-carol", "Carol");
    }
}
