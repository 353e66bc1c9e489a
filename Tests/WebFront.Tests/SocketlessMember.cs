using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>A feed member without a socket (what a socket is to lease renewal), counting the rejoins it is asked for.</summary>
internal sealed class SocketlessMember(string connectionId) : IRoomMember
{
    private int _rejoins;

    public string ConnectionId { get; } = connectionId;

    public bool IsJoined => true;

    public SocketOutbox Outbox { get; } = new(8, () => { });

    public int Rejoins => Volatile.Read(ref _rejoins);

    public void RequestRejoin() => Interlocked.Increment(ref _rejoins);
}
