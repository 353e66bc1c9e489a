namespace OrleansChat.Model;

/// <summary>
/// A participant's live, uncommitted text and the sender's sequence number of that text. In a welcome snapshot a long
/// draft is cut to a preview (<see cref="ChatLimits.SnapshotDraftPreviewChars"/>) and <see cref="Truncated"/> is true;
/// the typist's next chunk carries the whole text again.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Draft(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string Text,
    [property: Id(2)] long SenderSeq,
    [property: Id(3)] bool? Truncated = null);
