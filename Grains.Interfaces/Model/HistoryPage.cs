namespace OrleansChat.Model;

/// <summary>
/// One page of scrollback: committed messages older than the requested sequence number, oldest first.
/// <see cref="More"/>: still older messages are stored.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HistoryPage(
    [property: Id(0)] IReadOnlyList<ChatMessage> Messages,
    [property: Id(1)] bool More);
