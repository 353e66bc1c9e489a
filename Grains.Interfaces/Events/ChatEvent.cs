namespace OrleansChat.Events;

/// <summary>
/// Base of every event a room publishes to its stream. <see cref="Seq"/> is the room sequence number:
/// it grows by one per event, so a subscriber that sees a gap knows it missed something.
/// Never renumber an <c>[Id]</c>; add new members with new ids.
/// </summary>
[GenerateSerializer, Immutable]
public abstract record ChatEvent([property: Id(0)] string RoomId, [property: Id(1)] long Seq)
{
    /// <summary>When the room published the event (for relay latency metrics; clocks of different machines may differ).</summary>
    [Id(2)]
    public DateTimeOffset PublishedAt { get; init; }
}
