namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// A frame waiting for the writer loop: its room sequence number (0 for frames that are not room events)
/// and its UTF-8 JSON, and when the room published it (room events only). A null payload asks the writer for a
/// fresh snapshot.
/// </summary>
internal readonly record struct OutboundFrame(long Seq, byte[]? Payload, DateTimeOffset PublishedAt = default)
{
    public static OutboundFrame Resync => new(0, null);
}
