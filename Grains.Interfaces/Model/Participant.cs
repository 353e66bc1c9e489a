namespace OrleansChat.Model;

/// <summary>One connection in a room: WebFront's connection id and the display name it joined with.</summary>
[GenerateSerializer, Immutable]
public sealed record Participant(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string Name);
