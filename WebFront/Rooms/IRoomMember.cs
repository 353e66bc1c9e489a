using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Rooms;

/// <summary>A socket's place in a <see cref="RoomFeed"/>: where its events go and how to bring it up to date.</summary>
internal interface IRoomMember
{
    /// <summary>The connection id the room knows this socket by.</summary>
    string ConnectionId { get; }

    /// <summary>True once the room has confirmed the join (and until the socket leaves).</summary>
    bool IsJoined { get; }

    /// <summary>The socket's outbox: the feed offers every event's bytes to it.</summary>
    SocketOutbox Outbox { get; }

    /// <summary>The room has forgotten this connection (its activation was replaced or the lease lapsed): join again.</summary>
    void RequestRejoin();
}
