namespace OrleansChat.Model;

/// <summary>
/// The answer to a join: a status and, when it is Ok, the room snapshot. <see cref="Created"/>: the room did not
/// exist before this join (it had no stored history and nobody in it).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JoinResult(
    [property: Id(0)] ChatStatus Status,
    [property: Id(1)] RoomSnapshot? Snapshot,
    [property: Id(2)] bool Created = false);
