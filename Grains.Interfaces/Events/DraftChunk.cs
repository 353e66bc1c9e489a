namespace OrleansChat.Events;

/// <summary>The whole current draft of one participant (not a delta): a lost chunk is healed by the next.</summary>
[GenerateSerializer, Immutable]
public sealed record DraftChunk(
    string RoomId,
    long Seq,
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string Text,
    [property: Id(2)] long SenderSeq)
    : ChatEvent(RoomId, Seq);
