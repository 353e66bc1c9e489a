namespace OrleansChat.Model;

/// <summary>A committed message, as kept in the room's history.</summary>
[GenerateSerializer, Immutable]
public sealed record ChatMessage(
    [property: Id(0)] long Seq,
    [property: Id(1)] string ClientMessageId,
    [property: Id(2)] string ConnectionId,
    [property: Id(3)] string SenderName,
    [property: Id(4)] string Text,
    [property: Id(5)] DateTimeOffset SentAt);
