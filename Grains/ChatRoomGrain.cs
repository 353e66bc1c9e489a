using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.Grains.History;
using OrleansChat.Grains.Logging;
using OrleansChat.Grains.Placement;
using OrleansChat.Grains.Roster;
using OrleansChat.Model;

namespace OrleansChat.Grains;

/// <summary>
/// The authority for one room: who is here and what they are typing (<see cref="RoomRoster"/>, in memory), what was
/// said (<see cref="RoomHistory"/>, an append-only log in the <see cref="IRoomHistoryStore"/>), and the room sequence
/// number that stamps every event it publishes to the room's stream. Each operation reads: validate, change, stamp,
/// publish. It trusts nothing it is given: every argument is validated here, whatever WebFront already checked.
/// </summary>
[StreamQueuePlacement]
public sealed class ChatRoomGrain(
    [PersistentState("room", ChatStreams.HistoryStorageName)] IPersistentState<ChatRoomState> legacyState,
    IRoomHistoryStore store,
    IOptions<ChatLimits> limits,
    TimeProvider time,
    ILogger<ChatRoomGrain> logger) : Grain, IChatRoomGrain
{
    /// <summary>How many sequence numbers one storage write reserves (see <see cref="RoomHistory.ReservedSeq"/>).</summary>
    internal const long SeqReservationBlock = 10_000;

    private readonly ChatLimits _limits = limits.Value;

    /// <summary>
    /// Presence leases run on the monotonic clock (time since this activation started), not the wall clock: a step of
    /// the machine's clock (NTP correcting it, a VM resumed) neither expires every participant at once nor keeps a
    /// dead WebFront's participants for as long as the clock went back.
    /// </summary>
    private readonly long _leaseClockStart = time.GetTimestamp();
    private readonly RoomRoster _roster = new(limits.Value.MaxParticipantsPerRoom, limits.Value.MaxParticipantsPerRoomPerAddress);
    private RoomHistory _history = null!;
    private IGrainTimer? _leaseTimer;
    private IAsyncStream<ChatEvent>? _stream;
    private string _roomId = string.Empty;
    private bool _validRoom;
    private long _seq;

    /// <summary>The sequence number of the last event handed to the stream (attempted): the next event's PrevSeq.</summary>
    private long _publishedSeq;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _roomId = this.GetPrimaryKeyString();
        _validRoom = ChatValidation.IsValidRoomId(_roomId);
        if (!_validRoom)
        {
            ChatRoomLog.InvalidRoomId(logger, _roomId);
            return;
        }

        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(_roomId));
        _history = new RoomHistory(_roomId, store, _limits, time);
        await MigrateLegacyStateAsync();
        await _history.EnsureLoadedAsync();
        _seq = Math.Max(_history.ReservedSeq, _history.LastSeq);
        _publishedSeq = _history.LastSeq;
        ChatRoomLog.Activated(logger, _roomId, _history.Recent().Messages.Count, _seq);
    }

    public Task<JoinResult> Join(string connectionId, string displayName) => Join(connectionId, displayName, mayCreateRoom: true);

    public Task<JoinResult> Join(string connectionId, string displayName, bool mayCreateRoom) =>
        Join(connectionId, displayName, mayCreateRoom, clientAddress: null);

    public async Task<JoinResult> Join(string connectionId, string displayName, bool mayCreateRoom, string? clientAddress)
    {
        var status = CheckRoomAndConnection(connectionId);
        var name = string.Empty;
        if (status == ChatStatus.Ok)
        {
            status = ChatValidation.CheckDisplayName(displayName, _limits, out name);
        }

        if (status == ChatStatus.Ok)
        {
            status = _roster.CanAdd(connectionId, clientAddress);
        }

        if (status == ChatStatus.Ok)
        {
            await _history.EnsureLoadedAsync();
        }

        var created = status == ChatStatus.Ok && !_history.Exists && _roster.Count == 0;
        if (created && !mayCreateRoom)
        {
            status = ChatStatus.RoomCreationLimited;
        }

        if (status != ChatStatus.Ok)
        {
            ChatRoomLog.Refused(logger, _roomId, nameof(Join), connectionId, status);
            if (_validRoom && _roster.Count == 0 && !_history.Exists)
            {
                // A room that does not exist costs nothing: no activation lingers for it either.
                DeactivateOnIdle();
            }

            return new JoinResult(status, null);
        }

        // Take the sequence number first: if that (a storage write) fails, nothing has changed.
        var seq = await NextSeq();
        var participant = new Participant(connectionId, name);
        _roster.Add(participant, clientAddress, LeaseClock() + _limits.LeaseTimeout);
        try
        {
            await Publish(new ParticipantJoined(_roomId, seq, participant));
        }
        catch
        {
            // The caller is told the join failed, so it must leave no ghost behind.
            _roster.Remove(connectionId);
            throw;
        }

        // Participants and drafts live only in memory: while anyone is here, the activation stays.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        _leaseTimer ??= this.RegisterGrainTimer(ExpireLeases, new GrainTimerCreationOptions
        {
            DueTime = _limits.LeaseTimeout / 3,
            Period = _limits.LeaseTimeout / 3,
            Interleave = false,
            KeepAlive = false,
        });
        ChatRoomLog.Joined(logger, _roomId, connectionId, name);
        return new JoinResult(ChatStatus.Ok, CreateSnapshot(), created);
    }

    public async Task<ChatStatus> UpdateDraft(string connectionId, string text, long senderSeq)
    {
        var status = CheckParticipant(connectionId);
        if (status == ChatStatus.Ok)
        {
            status = ChatValidation.CheckText(text, _limits, isCommit: false);
        }

        if (status == ChatStatus.Ok && senderSeq < 0)
        {
            status = ChatStatus.InvalidSequence;
        }

        if (status != ChatStatus.Ok)
        {
            ChatRoomLog.Refused(logger, _roomId, nameof(UpdateDraft), connectionId, status);
            return status;
        }

        if (_roster.UpdateDraft(connectionId, text, senderSeq) == ChatStatus.Stale)
        {
            return ChatStatus.Stale;
        }

        await Publish(new DraftChunk(_roomId, await NextSeq(), connectionId, text, senderSeq));
        return ChatStatus.Ok;
    }

    public async Task<CommitResult> Commit(string connectionId, string text, string clientMessageId)
    {
        var status = CheckParticipant(connectionId);
        if (status == ChatStatus.Ok)
        {
            status = ChatValidation.IsValidClientMessageId(clientMessageId)
                ? ChatValidation.CheckText(text, _limits, isCommit: true)
                : ChatStatus.InvalidMessageId;
        }

        if (status != ChatStatus.Ok)
        {
            ChatRoomLog.Refused(logger, _roomId, nameof(Commit), connectionId, status);
            return new CommitResult(status, null);
        }

        // After a write whose outcome was unknown, memory is read again first: it must not answer from a guess.
        await _history.EnsureLoadedAsync();
        if (_history.TryGetRecent(clientMessageId, out var recent))
        {
            return new CommitResult(ChatStatus.Duplicate, recent);
        }

        for (var attempt = 0; ; attempt++)
        {
            // The number is used only once the append is stored; a failed append leaves a gap at most.
            await ReserveThrough(_seq + 1);
            var knownLastSeq = _history.LastSeq;
            var message = new ChatMessage(
                _seq + 1,
                clientMessageId,
                connectionId,
                _roster.NameOf(connectionId),
                text,
                StoredTime(time.GetUtcNow()));
            AppendResult appended;
            try
            {
                appended = await _history.AppendAsync(message);
            }
            catch (Exception ex)
            {
                // It may have been stored: never hand this number out again. Clients see the gap and resync, and
                // the retry with the same id finds the message if it was stored.
                _seq = message.Seq;
                ChatRoomLog.HistoryWriteFailed(logger, ex, _roomId, connectionId);
                throw;
            }

            switch (appended.Outcome)
            {
                case AppendOutcome.Duplicate:
                    if (_history.OutdatedByAnotherWriter)
                    {
                        ChatRoomLog.StaleAppend(logger, _roomId, message.Seq, appended.Existing!.Seq);
                        await CatchUpWithStoreAsync(knownLastSeq);
                    }

                    return new CommitResult(ChatStatus.Duplicate, appended.Existing);
                case AppendOutcome.Stale when attempt == 0:
                    // Another activation of this room stored messages this one never saw (two activations for a while,
                    // after a silo left the cluster): read the room again and go on above everything stored or
                    // reserved.
                    ChatRoomLog.StaleAppend(logger, _roomId, message.Seq, appended.LastSeq);
                    await CatchUpWithStoreAsync(knownLastSeq);
                    continue;
                case AppendOutcome.Stale:
                    throw new InvalidOperationException($"Room {_roomId}: the history store refused seq {message.Seq} twice as stale.");
            }

            _seq = message.Seq;

            // The commit event also tells every subscriber that the sender's draft is gone.
            _roster.ClearDraft(connectionId);
            await Publish(new MessageCommitted(_roomId, message.Seq, message));
            return new CommitResult(ChatStatus.Ok, message);
        }
    }

    public async Task<ChatStatus> CancelDraft(string connectionId)
    {
        var status = CheckParticipant(connectionId);
        if (status != ChatStatus.Ok)
        {
            ChatRoomLog.Refused(logger, _roomId, nameof(CancelDraft), connectionId, status);
            return status;
        }

        if (_roster.ClearDraft(connectionId))
        {
            await Publish(new DraftCleared(_roomId, await NextSeq(), connectionId, DraftClearReason.Cancelled));
        }

        return ChatStatus.Ok;
    }

    public async Task Leave(string connectionId)
    {
        if (!_validRoom || connectionId is null || !_roster.Remove(connectionId))
        {
            return;
        }

        // Leaving also discards the draft: subscribers drop a leaver's draft on the left event.
        ChatRoomLog.Left(logger, _roomId, connectionId);
        if (_roster.Count == 0)
        {
            // Nobody is here: let the idle collector decide when this activation goes.
            DelayDeactivation(TimeSpan.Zero);
        }

        await Publish(new ParticipantLeft(_roomId, await NextSeq(), connectionId));
    }

    public Task<LeaseRenewal> RenewLeases(string[] connectionIds)
    {
        if (!_validRoom || connectionIds is null)
        {
            return Task.FromResult(new LeaseRenewal([], _seq));
        }

        var unknown = _roster.RenewLeases(connectionIds, LeaseClock() + _limits.LeaseTimeout);
        return Task.FromResult(new LeaseRenewal(unknown, _seq));
    }

    public async Task<HistoryPage> GetHistory(long beforeSeq, int limit)
    {
        if (!_validRoom || beforeSeq <= 1 || limit <= 0)
        {
            return new HistoryPage([], false);
        }

        return await _history.PageAsync(beforeSeq, limit);
    }

    public async Task<RoomSnapshot> GetSnapshot()
    {
        if (_validRoom)
        {
            await _history.EnsureLoadedAsync();
        }

        return CreateSnapshot();
    }

    /// <summary>Removes participants whose WebFront stopped renewing their lease (it died without goodbye).</summary>
    private async Task ExpireLeases(CancellationToken cancellationToken)
    {
        foreach (var connectionId in _roster.ExpiredAt(LeaseClock()))
        {
            ChatRoomLog.LeaseExpired(logger, _roomId, connectionId);
            await Leave(connectionId);
        }

        if (_roster.Count == 0)
        {
            _leaseTimer?.Dispose();
            _leaseTimer = null;
        }
    }

    private TimeSpan LeaseClock() => time.GetElapsedTime(_leaseClockStart);

    private RoomSnapshot CreateSnapshot()
    {
        var (history, more) = _validRoom ? _history.ForWelcome() : ([], false);
        return new RoomSnapshot(_roomId, _seq, _roster.Participants(), DraftPreviews(), history, more);
    }

    /// <summary>The drafts, long ones cut to a preview: a welcome's size must not grow with what everyone is typing.</summary>
    private Draft[] DraftPreviews()
    {
        var drafts = _roster.Drafts();
        var max = _limits.SnapshotDraftPreviewChars;
        for (var i = 0; i < drafts.Length; i++)
        {
            var text = drafts[i].Text;
            if (text.Length > max)
            {
                // Never cut a surrogate pair in half.
                var length = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
                drafts[i] = drafts[i] with { Text = text[..length], Truncated = true };
            }
        }

        return drafts;
    }

    private ChatStatus CheckRoomAndConnection(string connectionId)
    {
        if (!_validRoom)
        {
            return ChatStatus.InvalidRoom;
        }

        return ChatValidation.IsValidConnectionId(connectionId) ? ChatStatus.Ok : ChatStatus.InvalidConnection;
    }

    private ChatStatus CheckParticipant(string connectionId)
    {
        var status = CheckRoomAndConnection(connectionId);
        if (status != ChatStatus.Ok)
        {
            return status;
        }

        return _roster.Contains(connectionId) ? ChatStatus.Ok : ChatStatus.NotJoined;
    }

    /// <summary>
    /// After the store turned out to hold messages this activation never saw: reads the room again, continues above
    /// every number stored or reserved, and, when it did lack messages, skips one number. The next event then names
    /// a predecessor no subscriber was given, so every socket is resynchronised with a welcome that shows them (until
    /// now, sockets were given this activation's welcomes and events, which lacked them, and the other activation's
    /// events for them may have been below what the sockets had, so ignored).
    /// </summary>
    private async Task CatchUpWithStoreAsync(long knownLastSeq)
    {
        await _history.EnsureLoadedAsync();
        _seq = Math.Max(_seq, Math.Max(_history.ReservedSeq, _history.LastSeq));
        if (_history.LastSeq > knownLastSeq)
        {
            await ReserveThrough(_seq + 1);
            _publishedSeq = ++_seq;
        }
    }

    private async ValueTask<long> NextSeq()
    {
        await ReserveThrough(_seq + 1);
        return ++_seq;
    }

    /// <summary>
    /// Makes sure <paramref name="seq"/> is reserved in the store, reserving the next block if not, so a later
    /// activation starts above everything this one published (clients see a gap and resync) without a storage write
    /// per event. A failed reservation changes nothing.
    /// </summary>
    private async ValueTask ReserveThrough(long seq)
    {
        if (seq > _history.ReservedSeq)
        {
            await _history.ReserveAsync(seq - 1 + SeqReservationBlock);
        }
    }

    /// <summary>
    /// Publishes an event, retrying a failed enqueue (the stream's queue moving after a silo died, or this room holding
    /// its whole share of a full queue) with growing delays; if an attempt did get through, subscribers drop the copy
    /// by its sequence number. While it waits, this room takes no other call: a flood backs off in its own room, and
    /// what still fails is reported to that room's callers (as <c>unavailable</c>), never to other rooms.
    /// </summary>
    private async Task Publish(ChatEvent chatEvent)
    {
        // The chain counts an event whose publish fails too: subscribers then resync rather than miss one that did get
        // through on an attempt reported as failed.
        var stamped = chatEvent with { PublishedAt = time.GetUtcNow(), PrevSeq = _publishedSeq };
        _publishedSeq = Math.Max(_publishedSeq, chatEvent.Seq);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _stream!.OnNextAsync(stamped);
                return;
            }
            catch (Exception ex) when (attempt < PublishAttempts && ex is TimeoutException or OrleansException or InvalidOperationException)
            {
                ChatRoomLog.PublishRetry(logger, ex, _roomId, stamped.Seq);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt * attempt));
            }
        }
    }

    private const int PublishAttempts = 4;

    /// <summary>Commit times are stored to the millisecond: what is published equals what is read back later.</summary>
    private static DateTimeOffset StoredTime(DateTimeOffset now) =>
        DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());

    /// <summary>
    /// Rooms of the previous version kept their whole history in one grain-state record (rewritten on every commit).
    /// On first activation it is appended to the log (idempotently: a migration interrupted half-way resumes) and the
    /// old record is deleted.
    /// </summary>
    private async Task MigrateLegacyStateAsync()
    {
        var legacy = legacyState.State;
        if (!legacyState.RecordExists || (legacy.History.Count == 0 && legacy.ReservedSeq == 0))
        {
            return;
        }

        foreach (var message in legacy.History)
        {
            await store.AppendAsync(_roomId, message with { SentAt = StoredTime(message.SentAt) });
        }

        var highest = Math.Max(legacy.ReservedSeq, legacy.History.Count > 0 ? legacy.History[^1].Seq : 0);
        await store.ReserveSeqAsync(_roomId, highest);
        ChatRoomLog.Migrated(logger, _roomId, legacy.History.Count, highest);
        await legacyState.ClearStateAsync();
    }
}
