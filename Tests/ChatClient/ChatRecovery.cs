namespace OrleansChat.Client;

/// <summary>Where a room event falls against what the client has seen.</summary>
public enum EventOrder
{
    /// <summary>Exactly one more than the last sequence number seen.</summary>
    Next,

    /// <summary>At or before the last one seen (already in the welcome, or seen before): the server must not send it.</summary>
    Stale,

    /// <summary>Something was missed: ask for a fresh welcome (<c>resync</c>).</summary>
    Gap,
}

/// <summary>What goes to the server again after a welcome: unconfirmed commits (same ids, in order) and the draft.</summary>
public sealed record Resend(IReadOnlyList<KeyValuePair<string, string>> Commits, string Draft);

/// <summary>
/// The browser's recovery rules (docs/protocol.md, WebFront/ClientApp/src/session/chatSession.ts) without a socket:
/// the unsent draft and every commit not yet confirmed are kept; a welcome is the whole truth (commits in its history
/// are confirmed, the rest and the draft go again); a commit event or a <c>committed</c> frame confirms a commit; a room
/// sequence gap asks for a resync. Thread-safe: typing threads and the receive loop share it.
/// </summary>
public sealed class ChatRecovery
{
    private readonly Lock _gate = new();
    private readonly List<KeyValuePair<string, string>> _pending = [];
    private string _draft = string.Empty;
    private long _lastSeq;

    /// <summary>The last room sequence number seen (of a welcome or an event).</summary>
    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _lastSeq;
            }
        }
    }

    public string Draft
    {
        get
        {
            lock (_gate)
            {
                return _draft;
            }
        }
    }

    /// <summary>Ids of the commits sent (or to be sent) and not confirmed yet, oldest first.</summary>
    public IReadOnlyList<string> PendingIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _pending.Select(p => p.Key)];
            }
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The user's whole current draft.</summary>
    public void Typed(string draft)
    {
        lock (_gate)
        {
            _draft = draft;
        }
    }

    /// <summary>The draft was discarded.</summary>
    public void Cancelled() => Typed(string.Empty);

    /// <summary>A commit is on its way: pending until confirmed; committing clears the draft.</summary>
    public void Committing(string id, string text)
    {
        lock (_gate)
        {
            if (_pending.FindIndex(p => p.Key == id) < 0)
            {
                _pending.Add(new(id, text));
            }

            _draft = string.Empty;
        }
    }

    /// <summary>The room confirmed <paramref name="id"/> (its commit event, a <c>committed</c> frame, a welcome's history).</summary>
    public bool Confirm(string id)
    {
        lock (_gate)
        {
            var index = _pending.FindIndex(p => p.Key == id);
            if (index < 0)
            {
                return false;
            }

            _pending.RemoveAt(index);
            return true;
        }
    }

    /// <summary>The text of a pending commit, or null when it is confirmed (or unknown).</summary>
    public string? PendingText(string id)
    {
        lock (_gate)
        {
            var index = _pending.FindIndex(p => p.Key == id);
            return index < 0 ? null : _pending[index].Value;
        }
    }

    /// <summary>A welcome arrived: it is the room at its seq. Returns what the server does not have yet.</summary>
    public Resend Welcomed(WelcomeFrame welcome)
    {
        lock (_gate)
        {
            _lastSeq = welcome.Seq;
            foreach (var message in welcome.History)
            {
                var index = _pending.FindIndex(p => p.Key == message.ClientMessageId);
                if (index >= 0)
                {
                    _pending.RemoveAt(index);
                }
            }

            return new Resend([.. _pending], _draft);
        }
    }

    /// <summary>A room event with sequence number <paramref name="seq"/> arrived.</summary>
    public EventOrder Observe(long seq)
    {
        lock (_gate)
        {
            if (seq <= _lastSeq)
            {
                return EventOrder.Stale;
            }

            var order = seq == _lastSeq + 1 ? EventOrder.Next : EventOrder.Gap;
            _lastSeq = seq;
            return order;
        }
    }
}
