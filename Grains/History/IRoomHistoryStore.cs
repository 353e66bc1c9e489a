using OrleansChat.Model;

namespace OrleansChat.Grains.History;

/// <summary>
/// Where rooms keep what outlives an activation: an append-only log of committed messages, the client message ids
/// seen (for idempotency by time), and the highest room sequence number reserved. One append per commit, whatever
/// the history's length. Implementations: <see cref="RedisRoomHistoryStore"/> (cluster) and
/// <see cref="MemoryRoomHistoryStore"/> (embedded mode and tests). Layout and retention: docs/history.md.
/// </summary>
public interface IRoomHistoryStore
{
    /// <summary>What a new activation needs: the newest <paramref name="recentCount"/> messages and the sequence numbers.</summary>
    Task<StoredRoom> LoadAsync(string roomId, int recentCount);

    /// <summary>Records that sequence numbers up to <paramref name="reservedSeq"/> may be used (never lowers it).</summary>
    Task ReserveSeqAsync(string roomId, long reservedSeq);

    /// <summary>
    /// Appends <paramref name="message"/> unless its client message id was stored within the idempotency window
    /// (<see cref="AppendOutcome.Duplicate"/>, with the stored message) or a message with a sequence number at or
    /// above its own is already stored (<see cref="AppendOutcome.Stale"/>: another activation went ahead). With
    /// <paramref name="knownLastSeq"/> (the newest stored message the writer knows of), an append is also stale when
    /// a newer message than that is stored, even one below <paramref name="message"/>'s number: another activation of
    /// the room (two of them, for a while, after a silo left the cluster) wrote it, and the writer's view of the room
    /// (what its welcomes show) lacks it. Atomic: either everything is written or nothing. Throws when the store
    /// cannot be reached; the write may or may not have happened then.
    /// </summary>
    Task<AppendResult> AppendAsync(string roomId, ChatMessage message, long? knownLastSeq = null);

    /// <summary>Up to <paramref name="limit"/> messages with a sequence number below <paramref name="beforeSeq"/>, oldest first.</summary>
    Task<HistoryPage> ReadBeforeAsync(string roomId, long beforeSeq, int limit);
}

/// <summary>A room as stored: <see cref="Exists"/> is false for a room never used (or whose keys expired).</summary>
public sealed record StoredRoom(bool Exists, long ReservedSeq, long LastSeq, IReadOnlyList<ChatMessage> Recent, bool MoreHistory)
{
    public static readonly StoredRoom None = new(false, 0, 0, [], false);
}

public enum AppendOutcome
{
    Appended,
    Duplicate,
    Stale,
}

/// <summary>
/// The outcome of an append. <see cref="Existing"/>: for a duplicate, the message stored under that id (when the
/// message itself was trimmed already, its sequence number and time with the retried text). <see cref="LastSeq"/>:
/// for a stale append, the highest sequence number stored.
/// </summary>
public sealed record AppendResult(AppendOutcome Outcome, ChatMessage? Existing = null, long LastSeq = 0)
{
    public static readonly AppendResult Appended = new(AppendOutcome.Appended);
}

/// <summary>Retention settings every store applies, from <see cref="ChatLimits"/>.</summary>
public sealed record HistoryRetention(int MaxCount, TimeSpan MaxAge, TimeSpan RoomExpiry, TimeSpan IdempotencyWindow, int MaxIdempotencyKeys)
{
    public static HistoryRetention From(ChatLimits limits) =>
        new(limits.MaxHistory, limits.HistoryMaxAge, limits.RoomExpiry, limits.IdempotencyWindow, limits.MaxIdempotencyKeys);
}
