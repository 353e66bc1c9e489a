namespace OrleansChat.WebFront.Rooms;

/// <summary>Who shares an Orleans stream subscription to a room (<c>Chat:Relay:FeedScope</c>).</summary>
public enum FeedScope
{
    /// <summary>One subscription per (WebFront, room), fanned out in-process to the room's local sockets (default).</summary>
    Server,

    /// <summary>One subscription per socket: the original shape, kept for comparison.</summary>
    Connection,
}

/// <summary>Where a room feed gets its room's events (<c>Chat:Relay:Source</c>).</summary>
public enum FeedSource
{
    /// <summary>Each feed subscribes to its room's Orleans stream: the stream's pulling agent delivers each event to each subscribing feed.</summary>
    Subscription,

    /// <summary>
    /// This WebFront reads each stream queue beside its pulling agent (<see cref="QueueTapRelay"/>) and hands each event to
    /// the room's feed: one read carries every event queued since the last, across rooms. Needs
    /// <see cref="FeedScope.Server"/> and the waiting stream queues; the default where it can be used.
    /// </summary>
    QueueTap,
}
