using OrleansChat.Model;

namespace OrleansChat.Grains.Roster;

/// <summary>
/// Who is in a room right now (in memory only): participants, their live drafts, the newest sender sequence number
/// seen from each, and their presence leases. Pure: no Orleans, no storage, no clock of its own. Lease deadlines are
/// readings of the caller's monotonic clock (time since some fixed start), never wall-clock times.
/// </summary>
internal sealed class RoomRoster(int maxParticipants, int maxPerAddress = 0)
{
    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Draft> _drafts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastSenderSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _leaseExpiry = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _addressOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perAddress = new(StringComparer.Ordinal);

    public int Count => _participants.Count;

    public bool Contains(string connectionId) => _participants.ContainsKey(connectionId);

    public string NameOf(string connectionId) => _participants[connectionId].Name;

    /// <summary>Ok when <paramref name="connectionId"/> may join now; AlreadyJoined, RoomFull or TooManyFromAddress otherwise.</summary>
    public ChatStatus CanAdd(string connectionId, string? clientAddress = null) =>
        _participants.ContainsKey(connectionId) ? ChatStatus.AlreadyJoined
        : _participants.Count >= maxParticipants ? ChatStatus.RoomFull
        : maxPerAddress > 0 && clientAddress is not null && _perAddress.GetValueOrDefault(clientAddress) >= maxPerAddress ? ChatStatus.TooManyFromAddress
        : ChatStatus.Ok;

    public void Add(Participant participant, TimeSpan leaseExpiry) => Add(participant, null, leaseExpiry);

    public void Add(Participant participant, string? clientAddress, TimeSpan leaseExpiry)
    {
        _participants.Add(participant.ConnectionId, participant);
        _leaseExpiry[participant.ConnectionId] = leaseExpiry;
        if (clientAddress is not null)
        {
            _addressOf[participant.ConnectionId] = clientAddress;
            _perAddress[clientAddress] = _perAddress.GetValueOrDefault(clientAddress) + 1;
        }
    }

    /// <summary>Removes a participant with its draft, sequence and lease; false when it was not here.</summary>
    public bool Remove(string connectionId)
    {
        if (!_participants.Remove(connectionId))
        {
            return false;
        }

        _drafts.Remove(connectionId);
        _lastSenderSeq.Remove(connectionId);
        _leaseExpiry.Remove(connectionId);
        if (_addressOf.Remove(connectionId, out var address))
        {
            var left = _perAddress[address] - 1;
            if (left == 0)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = left;
            }
        }

        return true;
    }

    /// <summary>
    /// Replaces the draft unless <paramref name="senderSeq"/> is not newer than the last one seen (Stale). Sender
    /// sequence numbers grow per connection across drafts, so a chunk delayed past a commit or a cancel can never bring
    /// an old draft back. Empty text: no draft.
    /// </summary>
    public ChatStatus UpdateDraft(string connectionId, string text, long senderSeq)
    {
        if (_lastSenderSeq.TryGetValue(connectionId, out var last) && senderSeq <= last)
        {
            return ChatStatus.Stale;
        }

        _lastSenderSeq[connectionId] = senderSeq;
        if (text.Length == 0)
        {
            _drafts.Remove(connectionId);
        }
        else
        {
            _drafts[connectionId] = new Draft(connectionId, text, senderSeq);
        }

        return ChatStatus.Ok;
    }

    /// <summary>Discards a draft; false when there was none.</summary>
    public bool ClearDraft(string connectionId) => _drafts.Remove(connectionId);

    /// <summary>Extends the leases of the known ids; returns the ids this roster does not know.</summary>
    public string[] RenewLeases(IEnumerable<string> connectionIds, TimeSpan expiry)
    {
        List<string>? unknown = null;
        foreach (var connectionId in connectionIds)
        {
            if (connectionId is not null && _participants.ContainsKey(connectionId))
            {
                _leaseExpiry[connectionId] = expiry;
            }
            else
            {
                (unknown ??= []).Add(connectionId!);
            }
        }

        return unknown?.ToArray() ?? [];
    }

    /// <summary>The participants whose lease ran out by <paramref name="now"/>.</summary>
    public List<string> ExpiredAt(TimeSpan now) =>
        _leaseExpiry.Where(l => l.Value <= now).Select(l => l.Key).ToList();

    public Participant[] Participants() => [.. _participants.Values];

    public Draft[] Drafts() => [.. _drafts.Values];
}
