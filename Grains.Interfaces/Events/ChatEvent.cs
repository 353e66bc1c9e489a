namespace OrleansChat.Events;

/// <summary>
/// Base of every event a room publishes to its stream. <see cref="Seq"/> is the room sequence number: it grows with
/// every event, by one within an activation and by a jump when the room is activated again (numbers are reserved in
/// blocks). <see cref="PrevSeq"/> names the event published just before, so a subscriber that was given less than that
/// knows it missed something, even when later events keep coming.
/// Never renumber an <c>[Id]</c>; add new members with new ids.
/// </summary>
[GenerateSerializer, Immutable]
public abstract record ChatEvent([property: Id(0)] string RoomId, [property: Id(1)] long Seq)
{
    /// <summary>When the room published the event (for relay latency metrics; clocks of different machines may differ).</summary>
    [Id(2)]
    public DateTimeOffset PublishedAt { get; init; }

    /// <summary>
    /// The sequence number of the event this room published before this one; for the first event of an activation,
    /// the last committed message's (what a reactivated room knows for sure was published). 0: unknown (a room that
    /// never published, or a publisher of an older version), nothing to check.
    /// </summary>
    [Id(3)]
    public long PrevSeq { get; init; }
}
