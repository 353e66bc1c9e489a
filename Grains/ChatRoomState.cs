using OrleansChat.Model;

namespace OrleansChat.Grains;

/// <summary>
/// What rooms of the previous version persisted as one grain-state record (the whole history, rewritten on every
/// commit). Read only to migrate it into the <see cref="History.IRoomHistoryStore"/> on a room's first activation,
/// then deleted (see <c>ChatRoomGrain.MigrateLegacyStateAsync</c>).
/// </summary>
[GenerateSerializer]
public sealed class ChatRoomState
{
    /// <summary>Committed messages, oldest first.</summary>
    [Id(0)]
    public List<ChatMessage> History { get; set; } = [];

    /// <summary>The highest room sequence number any activation of the previous version may have used.</summary>
    [Id(1)]
    public long ReservedSeq { get; set; }
}
