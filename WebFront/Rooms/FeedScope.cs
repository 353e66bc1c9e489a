namespace OrleansChat.WebFront.Rooms;

/// <summary>Who shares an Orleans stream subscription to a room (<c>Chat:Relay:FeedScope</c>).</summary>
public enum FeedScope
{
    /// <summary>One subscription per (WebFront, room), fanned out in-process to the room's local sockets (default).</summary>
    Server,

    /// <summary>One subscription per socket: the original shape, kept for comparison.</summary>
    Connection,
}
