namespace OrleansChat.Events;

/// <summary>Why a draft disappeared.</summary>
public enum DraftClearReason
{
    Cancelled = 0,
    Committed = 1,
    Left = 2,
}

[GenerateSerializer, Immutable]
public sealed record DraftCleared(
    string RoomId,
    long Seq,
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] DraftClearReason Reason)
    : ChatEvent(RoomId, Seq);
