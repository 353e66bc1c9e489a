using OrleansChat.Model;

namespace OrleansChat.Grains;

/// <summary>What a room persists: its committed history and the room sequence numbers it has reserved.</summary>
[GenerateSerializer]
public sealed class ChatRoomState
{
    /// <summary>Committed messages, oldest first, at most <see cref="ChatLimits.MaxHistory"/>.</summary>
    [Id(0)]
    public List<ChatMessage> History { get; set; } = [];

    /// <summary>
    /// The highest room sequence number any activation may have used. Sequence numbers are reserved in blocks,
    /// so a new activation starts above everything an earlier one published (clients see a gap and resync)
    /// without a storage write per event.
    /// </summary>
    [Id(1)]
    public long ReservedSeq { get; set; }
}
