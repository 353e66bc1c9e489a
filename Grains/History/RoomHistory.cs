using OrleansChat.Model;

namespace OrleansChat.Grains.History;

/// <summary>
/// A room's history as its activation sees it: the newest messages (what a welcome shows) in memory, everything
/// else in the <see cref="IRoomHistoryStore"/>. It changes its memory only after the store confirmed a write, and
/// after a write whose outcome is unknown (the store threw) it forgets what it knew and reads it again before it is
/// used next, so nothing is ever shown or confirmed that the store does not hold.
/// </summary>
internal sealed class RoomHistory(string roomId, IRoomHistoryStore store, ChatLimits limits, TimeProvider time)
{
    /// <summary>Most characters of message text one page carries (a page of 100 messages of 4,000 characters is 400 K).</summary>
    internal const int MaxPageChars = 256 * 1024;

    private readonly int _window = Math.Min(limits.SnapshotHistory, limits.MaxHistory);
    private readonly List<ChatMessage> _recent = [];
    private readonly Dictionary<string, ChatMessage> _recentById = new(StringComparer.Ordinal);
    private bool _loaded;
    private bool _moreBeforeRecent;

    /// <summary>The room had stored state (history or reserved sequence numbers) when it was last read.</summary>
    public bool Exists { get; private set; }

    /// <summary>The highest room sequence number any activation reserved (see <see cref="ReserveAsync"/>).</summary>
    public long ReservedSeq { get; private set; }

    /// <summary>
    /// The last append showed that the store holds messages this view never saw (another activation of the room wrote
    /// them): what is in memory is read again before it is used next. Cleared by that read.
    /// </summary>
    public bool OutdatedByAnotherWriter { get; private set; }

    /// <summary>The sequence number of the newest stored message.</summary>
    public long LastSeq { get; private set; }

    /// <summary>Reads the room from the store unless what is in memory is known to be current.</summary>
    public async Task EnsureLoadedAsync()
    {
        if (_loaded)
        {
            return;
        }

        var stored = await store.LoadAsync(roomId, _window);
        _recent.Clear();
        _recentById.Clear();
        foreach (var message in stored.Recent)
        {
            Remember(message);
        }

        _moreBeforeRecent = stored.MoreHistory;
        OutdatedByAnotherWriter = false;
        Exists = stored.Exists;
        ReservedSeq = Math.Max(ReservedSeq, stored.ReservedSeq);
        LastSeq = Math.Max(LastSeq, stored.LastSeq);
        _loaded = true;
    }

    /// <summary>Persists that sequence numbers up to <paramref name="reservedSeq"/> may be used.</summary>
    public async Task ReserveAsync(long reservedSeq)
    {
        await store.ReserveSeqAsync(roomId, reservedSeq);
        ReservedSeq = Math.Max(ReservedSeq, reservedSeq);
        Exists = true;
    }

    /// <summary>The message stored under this client message id, if it is among the newest (no store call).</summary>
    public bool TryGetRecent(string clientMessageId, out ChatMessage message) =>
        _recentById.TryGetValue(clientMessageId, out message!);

    /// <summary>
    /// Appends a message; memory changes only when the store says Appended. If the store throws, the outcome is
    /// unknown: the next <see cref="EnsureLoadedAsync"/> reads the room again.
    /// </summary>
    public async Task<AppendResult> AppendAsync(ChatMessage message)
    {
        AppendResult result;
        try
        {
            result = await store.AppendAsync(roomId, message, LastSeq);
        }
        catch
        {
            _loaded = false;
            throw;
        }

        switch (result.Outcome)
        {
            case AppendOutcome.Appended:
                Remember(message);
                LastSeq = message.Seq;
                Exists = true;
                break;
            case AppendOutcome.Stale:
            case AppendOutcome.Duplicate when result.Existing is { } existing && existing.Seq > LastSeq:
                // Another activation stored messages (this one, or newer) under numbers this view never saw: what is
                // in memory is not the room any more.
                _loaded = false;
                OutdatedByAnotherWriter = true;
                break;
        }

        return result;
    }

    /// <summary>The newest messages for a welcome (oldest first) and whether older ones are stored.</summary>
    public (IReadOnlyList<ChatMessage> Messages, bool More) Recent()
    {
        var skip = 0;
        if (limits.HistoryMaxAge > TimeSpan.Zero)
        {
            var cutoff = time.GetUtcNow() - limits.HistoryMaxAge;
            while (skip < _recent.Count && _recent[skip].SentAt < cutoff)
            {
                skip++;
            }
        }

        return (_recent.GetRange(skip, _recent.Count - skip), _moreBeforeRecent && skip == 0);
    }

    /// <summary>
    /// The newest messages for a welcome, at most <see cref="ChatLimits.SnapshotHistoryMaxChars"/> characters of text
    /// (always at least the newest message); More is true when older ones are stored or were left out.
    /// </summary>
    public (IReadOnlyList<ChatMessage> Messages, bool More) ForWelcome()
    {
        var (messages, more) = Recent();
        var page = FitToSize(new HistoryPage(messages, more), limits.SnapshotHistoryMaxChars);
        return (page.Messages, page.More);
    }

    /// <summary>
    /// One page of scrollback below <paramref name="beforeSeq"/>, at most <paramref name="limit"/> messages and
    /// <see cref="MaxPageChars"/> characters of text. Served from memory when the newest messages cover it.
    /// </summary>
    public async Task<HistoryPage> PageAsync(long beforeSeq, int limit)
    {
        limit = Math.Clamp(limit, 1, limits.HistoryPageSize);
        HistoryPage page;
        var (recent, more) = Recent();
        var inMemory = recent.Where(m => m.Seq < beforeSeq).ToList();
        if (_loaded && (inMemory.Count >= limit || !more))
        {
            // Memory holds the newest messages; when it also holds everything stored, it answers every page alone.
            var take = Math.Min(limit, inMemory.Count);
            page = new HistoryPage(inMemory.GetRange(inMemory.Count - take, take), inMemory.Count > take || more);
        }
        else
        {
            page = await store.ReadBeforeAsync(roomId, beforeSeq, limit);
        }

        return FitToSize(page, MaxPageChars);
    }

    private static HistoryPage FitToSize(HistoryPage page, int maxChars)
    {
        var chars = 0;
        var keep = 0;
        for (var i = page.Messages.Count - 1; i >= 0; i--)
        {
            chars += page.Messages[i].Text.Length;
            if (chars > maxChars && keep > 0)
            {
                break;
            }

            keep++;
        }

        return keep == page.Messages.Count
            ? page
            : new HistoryPage([.. page.Messages.Skip(page.Messages.Count - keep)], true);
    }

    private void Remember(ChatMessage message)
    {
        _recent.Add(message);
        _recentById[message.ClientMessageId] = message;
        if (_recent.Count > _window)
        {
            _recentById.Remove(_recent[0].ClientMessageId);
            _recent.RemoveAt(0);
            _moreBeforeRecent = true;
        }
    }
}
