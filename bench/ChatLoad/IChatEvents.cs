namespace OrleansChat.Bench;

/// <summary>
/// What a transport reports to its client's accounting, one call at a time per connection, in arrival order.
/// <c>roomSeq</c> is the room sequence number of protocols that have one, else 0 (not checked).
/// </summary>
public interface IChatEvents
{
    /// <summary>A chunk of <paramref name="sender"/> (the id its transport's ConnectAsync returned) arrived.</summary>
    void OnChunk(ReadOnlySpan<char> sender, long senderSeq, long roomSeq, long arrivedAt);

    /// <summary>A commit arrived; <paramref name="commitId"/> is the id its sender gave it.</summary>
    void OnCommit(ReadOnlySpan<char> commitId, long roomSeq, long arrivedAt);

    /// <summary>Another room event (joined, left, cleared, ...): only its sequence number is checked.</summary>
    void OnRoomEvent(long roomSeq);

    /// <summary>The room's state arrived, at <paramref name="roomSeq"/>; <paramref name="resync"/> when it is not the first.</summary>
    void OnWelcome(long roomSeq, bool resync);

    void OnError(string code);

    /// <summary>
    /// Reconnecting transports: a welcome named this connection <paramref name="senderId"/> (new after a reconnect) and
    /// holds <paramref name="history"/> (commits in it were delivered, even if their events were missed).
    /// </summary>
    void OnWelcomeHistory(string senderId, IReadOnlyList<OrleansChat.Client.HistoryEntry> history, bool reconnected, long arrivedAt)
    {
    }

    /// <summary>A retried commit the room had already stored was confirmed to its sender (<c>committed</c>).</summary>
    void OnCommitted(ReadOnlySpan<char> commitId, long messageSeq)
    {
    }

    /// <summary>Reconnecting transports: the connection ended and will be reconnected.</summary>
    void OnDisconnected(string reason, bool wasLive)
    {
    }

    /// <summary>The server closed the connection.</summary>
    void OnClosed(string? status, string? description);

    /// <summary>The connection broke.</summary>
    void OnFailed(Exception exception);
}
