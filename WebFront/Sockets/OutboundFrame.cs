namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// A frame waiting in a <see cref="SocketOutbox"/>: its UTF-8 JSON, its room sequence number (0 when it is not a room
/// event) and, for room events, when the room published it (for the relay latency metric) and the sequence number of
/// the event the room published before it (<see cref="OrleansChat.Events.ChatEvent.PrevSeq"/>, 0 when unknown).
/// </summary>
internal readonly record struct OutboundFrame(OutboundFrameKind Kind, long Seq, byte[] Payload, DateTimeOffset PublishedAt = default, long PrevSeq = 0);

/// <summary>What an <see cref="OutboundFrame"/> is, which decides what a resync may drop.</summary>
internal enum OutboundFrameKind
{
    /// <summary>A room event (chunk, commit, joined, left, cleared): superseded by a later welcome.</summary>
    Event,

    /// <summary>A welcome snapshot: superseded by a later welcome.</summary>
    Welcome,

    /// <summary>An error or goingAway frame: never superseded, delivered even to a socket that is behind.</summary>
    Control,
}
