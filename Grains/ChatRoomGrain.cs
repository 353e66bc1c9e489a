using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.Grains.Logging;
using OrleansChat.Model;

namespace OrleansChat.Grains;

/// <summary>
/// The authority for one room: participants and their live drafts (in memory), committed history (persisted),
/// and the room sequence number that stamps every event it publishes to the room's stream.
/// It trusts nothing it is given: every argument is validated here, whatever WebFront already checked.
/// </summary>
public sealed class ChatRoomGrain(
    [PersistentState("room", ChatStreams.HistoryStorageName)] IPersistentState<ChatRoomState> state,
    IOptions<ChatLimits> limits,
    TimeProvider time,
    ILogger<ChatRoomGrain> logger) : Grain, IChatRoomGrain
{
    /// <summary>How many sequence numbers one storage write reserves (see <see cref="ChatRoomState.ReservedSeq"/>).</summary>
    internal const long SeqReservationBlock = 10_000;

    private readonly ChatLimits _limits = limits.Value;
    private readonly Dictionary<string, Participant> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Draft> _drafts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastSenderSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChatMessage> _messagesById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _leaseExpiry = new(StringComparer.Ordinal);
    private IGrainTimer? _leaseTimer;
    private IAsyncStream<ChatEvent>? _stream;
    private string _roomId = string.Empty;
    private bool _validRoom;
    private long _seq;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _roomId = this.GetPrimaryKeyString();
        _validRoom = ChatValidation.IsValidRoomId(_roomId);
        if (!_validRoom)
        {
            ChatRoomLog.InvalidRoomId(logger, _roomId);
            return Task.CompletedTask;
        }

        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(_roomId));
        RebuildMessageIndex();
        TrimHistory();
        _seq = Math.Max(state.State.ReservedSeq, state.State.History.Count > 0 ? state.State.History[^1].Seq : 0);
        ChatRoomLog.Activated(logger, _roomId, state.State.History.Count, _seq);
        return Task.CompletedTask;
    }

    public async Task<JoinResult> Join(string connectionId, string displayName)
    {
        var status = CheckRoomAndConnection(connectionId);
        if (status == ChatStatus.Ok)
        {
            status = ChatValidation.CheckDisplayName(displayName, _limits, out var name);
            if (status == ChatStatus.Ok)
            {
                if (_participants.ContainsKey(connectionId))
                {
                    status = ChatStatus.AlreadyJoined;
                }
                else if (_participants.Count >= _limits.MaxParticipantsPerRoom)
                {
                    status = ChatStatus.RoomFull;
                }
                else
                {
                    // Take the sequence number first: if that (a storage write) fails, nothing has changed.
                    var seq = await NextSeq();
                    var participant = new Participant(connectionId, name);
                    _participants.Add(connectionId, participant);
                    try
                    {
                        await Publish(new ParticipantJoined(_roomId, seq, participant));
                    }
                    catch
                    {
                        // The caller is told the join failed, so it must leave no ghost behind.
                        _participants.Remove(connectionId);
                        throw;
                    }

                    // Participants and drafts live only in memory: while anyone is here, the activation stays.
                    DelayDeactivation(Timeout.InfiniteTimeSpan);
                    _leaseExpiry[connectionId] = time.GetUtcNow() + _limits.LeaseTimeout;
                    _leaseTimer ??= this.RegisterGrainTimer(ExpireLeases, new GrainTimerCreationOptions
                    {
                        DueTime = _limits.LeaseTimeout / 3,
                        Period = _limits.LeaseTimeout / 3,
                        Interleave = false,
                        KeepAlive = false,
                    });
                    ChatRoomLog.Joined(logger, _roomId, connectionId, name);
                    return new JoinResult(ChatStatus.Ok, CreateSnapshot());
                }
            }
        }

        ChatRoomLog.Refused(logger, _roomId, nameof(Join), connectionId, status);
        return new JoinResult(status, null);
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

        // Sender sequence numbers grow per connection across drafts, so a chunk delayed past a commit
        // or a cancel can never bring an old draft back.
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

        if (_messagesById.TryGetValue(clientMessageId, out var existing))
        {
            return new CommitResult(ChatStatus.Duplicate, existing);
        }

        var message = new ChatMessage(
            await NextSeq(),
            clientMessageId,
            connectionId,
            _participants[connectionId].Name,
            text,
            time.GetUtcNow());

        state.State.History.Add(message);
        _messagesById[clientMessageId] = message;
        TrimHistory();
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            ChatRoomLog.HistoryWriteFailed(logger, ex, _roomId, connectionId);
            await state.ReadStateAsync();
            RebuildMessageIndex();
            TrimHistory();
            throw;
        }

        // The commit event also tells every subscriber that the sender's draft is gone.
        _drafts.Remove(connectionId);
        await Publish(new MessageCommitted(_roomId, message.Seq, message));
        return new CommitResult(ChatStatus.Ok, message);
    }

    public async Task<ChatStatus> CancelDraft(string connectionId)
    {
        var status = CheckParticipant(connectionId);
        if (status != ChatStatus.Ok)
        {
            ChatRoomLog.Refused(logger, _roomId, nameof(CancelDraft), connectionId, status);
            return status;
        }

        if (_drafts.Remove(connectionId))
        {
            await Publish(new DraftCleared(_roomId, await NextSeq(), connectionId, DraftClearReason.Cancelled));
        }

        return ChatStatus.Ok;
    }

    public async Task Leave(string connectionId)
    {
        if (!_validRoom || connectionId is null || !_participants.Remove(connectionId))
        {
            return;
        }

        // Leaving also discards the draft: subscribers drop a leaver's draft on the left event.
        _drafts.Remove(connectionId);
        _lastSenderSeq.Remove(connectionId);
        _leaseExpiry.Remove(connectionId);
        ChatRoomLog.Left(logger, _roomId, connectionId);
        if (_participants.Count == 0)
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

        var expiry = time.GetUtcNow() + _limits.LeaseTimeout;
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

        return Task.FromResult(new LeaseRenewal(unknown?.ToArray() ?? [], _seq));
    }

    public Task<RoomSnapshot> GetSnapshot() => Task.FromResult(CreateSnapshot());

    /// <summary>Removes participants whose WebFront stopped renewing their lease (it died without goodbye).</summary>
    private async Task ExpireLeases(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expired = _leaseExpiry.Where(l => l.Value <= now).Select(l => l.Key).ToList();
        foreach (var connectionId in expired)
        {
            ChatRoomLog.LeaseExpired(logger, _roomId, connectionId);
            await Leave(connectionId);
        }

        if (_participants.Count == 0)
        {
            _leaseTimer?.Dispose();
            _leaseTimer = null;
        }
    }

    private RoomSnapshot CreateSnapshot()
    {
        var history = state.State.History;
        var count = Math.Min(_limits.SnapshotHistory, history.Count);
        return new RoomSnapshot(
            _roomId,
            _seq,
            [.. _participants.Values],
            [.. _drafts.Values],
            history.GetRange(history.Count - count, count));
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

        return _participants.ContainsKey(connectionId) ? ChatStatus.Ok : ChatStatus.NotJoined;
    }

    private async ValueTask<long> NextSeq()
    {
        if (_seq >= state.State.ReservedSeq)
        {
            var reserved = state.State.ReservedSeq;
            state.State.ReservedSeq = _seq + SeqReservationBlock;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Never hand out numbers that a later activation would not know were used.
                state.State.ReservedSeq = reserved;
                throw;
            }
        }

        return ++_seq;
    }

    /// <summary>
    /// Publishes an event, retrying once: a failed enqueue (e.g. while the stream's queue moves after a silo died)
    /// is retried; if the first attempt did get through, subscribers drop the copy by its sequence number.
    /// </summary>
    private async Task Publish(ChatEvent chatEvent)
    {
        var stamped = chatEvent with { PublishedAt = time.GetUtcNow() };
        try
        {
            await _stream!.OnNextAsync(stamped);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            ChatRoomLog.PublishRetry(logger, ex, _roomId, stamped.Seq);
            await _stream!.OnNextAsync(stamped);
        }
    }

    private void TrimHistory()
    {
        var history = state.State.History;
        var excess = history.Count - _limits.MaxHistory;
        if (excess <= 0)
        {
            return;
        }

        foreach (var dropped in history.GetRange(0, excess))
        {
            _messagesById.Remove(dropped.ClientMessageId);
        }

        history.RemoveRange(0, excess);
    }

    private void RebuildMessageIndex()
    {
        _messagesById.Clear();
        foreach (var message in state.State.History)
        {
            _messagesById[message.ClientMessageId] = message;
        }
    }
}
