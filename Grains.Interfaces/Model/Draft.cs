namespace OrleansChat.Model;

/// <summary>A participant's live, uncommitted text and the sender's sequence number of that text.</summary>
[GenerateSerializer, Immutable]
public sealed record Draft(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string Text,
    [property: Id(2)] long SenderSeq);
