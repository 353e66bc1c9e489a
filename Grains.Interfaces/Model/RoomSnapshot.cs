namespace OrleansChat.Model;

/// <summary>
/// Everything a joiner needs to render a room: who is here, what they are typing, the newest history,
/// and the room sequence number the snapshot was taken at (events at or below it are already included).
/// <see cref="MoreHistory"/>: older messages than <see cref="History"/> are stored (page them with GetHistory).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RoomSnapshot(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long Seq,
    [property: Id(2)] IReadOnlyList<Participant> Participants,
    [property: Id(3)] IReadOnlyList<Draft> Drafts,
    [property: Id(4)] IReadOnlyList<ChatMessage> History,
    [property: Id(5)] bool MoreHistory = false);
