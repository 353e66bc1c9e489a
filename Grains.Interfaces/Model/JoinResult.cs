namespace OrleansChat.Model;

/// <summary>The answer to a join: a status and, when it is Ok, the room snapshot.</summary>
[GenerateSerializer, Immutable]
public sealed record JoinResult(
    [property: Id(0)] ChatStatus Status,
    [property: Id(1)] RoomSnapshot? Snapshot);
