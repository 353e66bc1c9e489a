using OrleansChat.Model;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// One socket's membership of a room, and the one place that talks to the room grain for it: join, chunk, commit,
/// cancel and leave for the reader, and every welcome after the first (a resync the client or the outbox asked for,
/// a rejoin when the room forgot the connection). A welcome that fails is retried with backoff until it arrives or
/// the socket closes, never dropped: a tab must not freeze waiting for it.
/// </summary>
internal sealed class RoomSession : IRoomMember, IAsyncDisposable
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly RoomFeeds _feeds;
    private readonly NewRoomLimiter _newRooms;
    private readonly System.Net.IPAddress? _clientAddress;
    private readonly ChatSocketOptions _options;
    private readonly ChatLimits _limits;
    private readonly RelayOptions _relay;
    private readonly ClientLimits _clientLimits;
    private readonly string _serverId;
    private readonly ILogger _logger;
    private readonly System.Threading.RateLimiting.TokenBucketRateLimiter _historyRequests;
    private readonly SemaphoreSlim _welcomeGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _loopGate = new();

    private RoomFeed? _feed;
    private IChatRoomGrain? _joinSent;
    private Task? _joinCall;
    private string? _name;
    private int _rejoinRequested;
    private int _joining;
    private long _lastWelcomeAt;
    private int _welcomeRequests;
    private Task? _welcomeLoop;

    public RoomSession(string connectionId, System.Net.IPAddress? clientAddress, RoomServices services, ILogger logger)
    {
        ConnectionId = connectionId;
        _clientAddress = clientAddress;
        _feeds = services.Feeds;
        _newRooms = services.NewRooms;
        _options = services.Options;
        _limits = services.Limits;
        _relay = services.Relay;
        _serverId = services.ServerId;
        _logger = logger;
        _clientLimits = new ClientLimits(_limits.MaxNameLength, _limits.MaxDraftLength, _options.MaxFrameBytes);
        _historyRequests = SocketRateLimiters.TokenBucket(_options.HistoryRequestsPerSecond, _options.HistoryBurst);
        Outbox = new SocketOutbox(_options.OutboundQueueCapacity, StartWelcomeLoop);
    }

    public string ConnectionId { get; }

    public SocketOutbox Outbox { get; }

    public bool IsJoined => Volatile.Read(ref _feed) is not null;

    /// <summary>A join is on its way to the room (the join deadline waits for its answer).</summary>
    public bool IsJoining => Volatile.Read(ref _joining) == 1;

    /// <summary>The room this socket is in, or null.</summary>
    public string? RoomId => Volatile.Read(ref _feed)?.RoomId;

    /// <summary>Carries out one client command; a room that fails or does not answer in time is reported as <c>unavailable</c>.</summary>
    public async Task HandleAsync(ClientCommand command, CancellationToken cancellationToken)
    {
        try
        {
            switch (command)
            {
                case JoinCommand join:
                    Volatile.Write(ref _joining, 1);
                    try
                    {
                        await JoinAsync(join, cancellationToken);
                    }
                    finally
                    {
                        Volatile.Write(ref _joining, 0);
                    }

                    break;
                case ChunkCommand chunk:
                    await ChunkAsync(chunk, cancellationToken);
                    break;
                case CommitCommand commit:
                    await CommitAsync(commit, cancellationToken);
                    break;
                case CancelCommand:
                    await CancelAsync(cancellationToken);
                    break;
                case HistoryCommand history:
                    await HistoryAsync(history, cancellationToken);
                    break;
                case ResyncCommand:
                    if (!Outbox.RequestWelcome())
                    {
                        SendError(ChatStatus.NotJoined);
                    }

                    break;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var reference = command switch
            {
                CommitCommand commit => commit.Id,
                HistoryCommand => HistoryCommand.ErrorRef,
                _ => null,
            };
            WebFrontLog.BackendCallFailed(_logger, ex, ConnectionId, command.GetType().Name, RoomId);
            SendError(new(ErrorCodes.Unavailable, "The chat service did not answer in time; try again.", reference));
        }
    }

    public void RequestRejoin()
    {
        Interlocked.Exchange(ref _rejoinRequested, 1);
        StartWelcomeLoop();
    }

    public void SendError(ProtocolError error) => Outbox.OfferControl(ServerFrameWriter.Error(error));

    /// <summary>Leaves the room (and the feed), also when a join was sent but never answered. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        Task? loop;
        lock (_loopGate)
        {
            loop = _welcomeLoop;
        }

        if (loop is not null)
        {
            await loop;
        }

        LeaveFeed();
        if (_joinSent is { } room)
        {
            await LeaveQuietlyAsync(room);
        }

        _welcomeGate.Dispose();
        _closing.Dispose();
        _historyRequests.Dispose();
    }

    // ---------------------------------------------------------------- commands

    private async Task JoinAsync(JoinCommand join, CancellationToken cancellationToken)
    {
        if (_joinSent is not null)
        {
            SendError(ChatStatus.AlreadyJoined);
            return;
        }

        var roomId = ChatValidation.NormalizeRoomId(join.Room ?? ChatValidation.DefaultRoom);
        if (roomId is null)
        {
            SendError(ChatStatus.InvalidRoom);
            return;
        }

        var nameStatus = ChatValidation.CheckDisplayName(join.Name, _limits, out var name);
        if (nameStatus != ChatStatus.Ok)
        {
            SendError(nameStatus);
            return;
        }

        // Subscribed and holding events before the room takes the snapshot: nothing between the two is lost.
        var feed = _feeds.Acquire(roomId);
        var joined = false;
        try
        {
            await feed.SubscribeAsync(cancellationToken);
            Outbox.BeginWelcome();
            feed.Add(this);
            _joinSent = feed.Room;
            JoinResult result;
            try
            {
                // With a cap on new rooms, an existing room is joined without using a permit; only a room that does not
                // exist yet takes one, and is asked again with it.
                var address = _clientAddress?.ToString();
                var call = feed.Room.Join(ConnectionId, name, _newRooms.IsUnlimited, address);
                _joinCall = call;
                result = await Call(call, cancellationToken);
                if (result.Status == ChatStatus.RoomCreationLimited && _newRooms.TryTake(_clientAddress))
                {
                    call = feed.Room.Join(ConnectionId, name, mayCreateRoom: true, address);
                    _joinCall = call;
                    result = await Call(call, cancellationToken);
                }
            }
            catch when (!cancellationToken.IsCancellationRequested)
            {
                // The join may still have happened: undo it now, so a retry is not "already joined".
                await LeaveQuietlyAsync(feed.Room);
                _joinSent = null;
                throw;
            }

            if (result.Status != ChatStatus.Ok || result.Snapshot is null)
            {
                _joinSent = null;
                SendError(result.Status);
                return;
            }

            _name = name;
            Volatile.Write(ref _feed, feed);
            joined = true;
            Outbox.CompleteWelcome(Welcome(result.Snapshot), result.Snapshot.Seq);
            WebFrontLog.Joined(_logger, ConnectionId, roomId, name);
        }
        finally
        {
            if (!joined)
            {
                feed.Remove(this);
                Outbox.Reset();
                _feeds.Release(feed);
            }
        }
    }

    private async Task ChunkAsync(ChunkCommand chunk, CancellationToken cancellationToken)
    {
        if (!TryGetRoom(out var room, null))
        {
            return;
        }

        var status = chunk.Seq < 0 ? ChatStatus.InvalidSequence : ChatValidation.CheckText(chunk.Text, _limits, isCommit: false);
        if (status != ChatStatus.Ok)
        {
            SendError(status);
            return;
        }

        // Awaited, one chunk at a time: Orleans does not keep the order of messages that are in flight together
        // (one-way chunks were measured to overtake each other across nodes, and the room then drops the overtaken
        // drafts as stale).
        var result = await Call(room.UpdateDraft(ConnectionId, chunk.Text, chunk.Seq), cancellationToken);
        if (result == ChatStatus.NotJoined)
        {
            if (!await RejoinAsync(cancellationToken))
            {
                return; // The client was told (unavailable while the rejoin is retried, or why the room refused it).
            }

            result = await Call(room.UpdateDraft(ConnectionId, chunk.Text, chunk.Seq), cancellationToken);
        }

        if (result is not (ChatStatus.Ok or ChatStatus.Stale))
        {
            SendError(result);
        }
    }

    private async Task CommitAsync(CommitCommand commit, CancellationToken cancellationToken)
    {
        if (!TryGetRoom(out var room, commit.Id))
        {
            return;
        }

        if (!ChatValidation.IsValidClientMessageId(commit.Id))
        {
            SendError(ChatStatus.InvalidMessageId);
            return;
        }

        var status = ChatValidation.CheckText(commit.Text, _limits, isCommit: true);
        if (status != ChatStatus.Ok)
        {
            SendError(status, commit.Id);
            return;
        }

        var result = await Call(room.Commit(ConnectionId, commit.Text!, commit.Id!), cancellationToken);
        if (result.Status == ChatStatus.NotJoined)
        {
            if (!await RejoinAsync(cancellationToken))
            {
                // Still in the room as far as the client knows, and the rejoin goes on in the background: the commit
                // is retryable, not refused (a not_joined would leave it pending until some later welcome).
                if (IsJoined)
                {
                    SendError(new ProtocolError(ErrorCodes.Unavailable, "The room did not answer; send the message again shortly.", commit.Id));
                }
                else
                {
                    SendError(ChatStatus.NotJoined, commit.Id);
                }

                return;
            }

            result = await Call(room.Commit(ConnectionId, commit.Text!, commit.Id!), cancellationToken);
        }

        // Ok: everyone, this socket included, sees the commit event. Duplicate: it was stored before, and this client
        // may have missed its event (a retry after a reconnect or a failure); the message may be older than any
        // welcome holds, so the sender is told directly.
        if (result is { Status: ChatStatus.Duplicate, Message: { } stored })
        {
            Outbox.OfferControl(ServerFrameWriter.Committed(stored));
        }
        else if (result.Status != ChatStatus.Ok)
        {
            SendError(result.Status, commit.Id);
        }
    }

    private async Task CancelAsync(CancellationToken cancellationToken)
    {
        if (!TryGetRoom(out var room, null))
        {
            return;
        }

        var status = await Call(room.CancelDraft(ConnectionId), cancellationToken);
        if (status == ChatStatus.NotJoined)
        {
            // The room no longer knows this connection, so it holds no draft of it either.
            await RejoinAsync(cancellationToken);
        }
        else if (status != ChatStatus.Ok)
        {
            SendError(status);
        }
    }

    private async Task HistoryAsync(HistoryCommand history, CancellationToken cancellationToken)
    {
        if (!TryGetRoom(out var room, HistoryCommand.ErrorRef))
        {
            return;
        }

        if (history.Before < 1)
        {
            SendError(new(ErrorCodes.InvalidFrame, "\"before\" must be a whole number of at least 1 (the seq of the oldest message shown).", HistoryCommand.ErrorRef));
            return;
        }

        if (!_historyRequests.TryTake())
        {
            SendError(new(ErrorCodes.RateLimited, "History is limited to a few pages a second; try again shortly.", HistoryCommand.ErrorRef));
            return;
        }

        var limit = (int)Math.Clamp(history.Limit ?? HistoryCommand.DefaultLimit, 1, _limits.HistoryPageSize);
        var page = await Call(room.GetHistory(history.Before, limit), cancellationToken);

        // Not a room event: it goes out as an answer, whatever the socket's place in the room's sequence.
        Outbox.OfferControl(ServerFrameWriter.History(history.Before, page));
    }

    private bool TryGetRoom(out IChatRoomGrain room, string? reference)
    {
        var feed = Volatile.Read(ref _feed);
        room = feed?.Room!;
        if (feed is not null)
        {
            return true;
        }

        SendError(ChatStatus.NotJoined, reference);
        return false;
    }

    // ---------------------------------------------------------------- welcomes after the first

    /// <summary>
    /// Joins again now, for a command the room refused as NotJoined. True when the socket has its new welcome; false when
    /// the room refused (the socket has left it) or did not answer, and then the rejoin goes on in the background with
    /// backoff, so a tab never waits for a welcome nobody is producing.
    /// </summary>
    private async Task<bool> RejoinAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _rejoinRequested, 1);
        if (await ProduceWelcomeAsync(retry: false, cancellationToken))
        {
            return true;
        }

        if (IsJoined)
        {
            StartWelcomeLoop();
        }

        return false;
    }

    /// <summary>A welcome is wanted (the outbox or a lease renewal asked): produce it in the background, one at a time.</summary>
    private void StartWelcomeLoop()
    {
        lock (_loopGate)
        {
            _welcomeRequests++;
            if (_welcomeLoop is null && !_closing.IsCancellationRequested)
            {
                _welcomeLoop = Task.Run(WelcomeLoopAsync);
            }
        }
    }

    private async Task WelcomeLoopAsync()
    {
        while (true)
        {
            lock (_loopGate)
            {
                if (_welcomeRequests == 0 || _closing.IsCancellationRequested)
                {
                    _welcomeLoop = null;
                    return;
                }

                _welcomeRequests = 0;
            }

            try
            {
                // A welcome can be large and a resync request is 17 bytes: at most one per MinWelcomeInterval; requests
                // that arrive meanwhile are answered by the same welcome (the outbox coalesces them).
                var wait = _options.MinWelcomeInterval - System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _lastWelcomeAt));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _closing.Token);
                }

                await ProduceWelcomeAsync(retry: true, _closing.Token);
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                // The socket is closing.
            }
        }
    }

    /// <summary>
    /// Fetches a snapshot (or joins again, when the room forgot this connection) and queues it as the socket's welcome.
    /// With <paramref name="retry"/>, a failure is retried with doubling delays; the client hears once that the room
    /// is unavailable. False when no welcome was produced.
    /// </summary>
    private async Task<bool> ProduceWelcomeAsync(bool retry, CancellationToken cancellationToken)
    {
        await _welcomeGate.WaitAsync(cancellationToken);
        try
        {
            var delay = FirstRetryDelay;
            for (var attempt = 0; ; attempt++)
            {
                var feed = Volatile.Read(ref _feed);
                var rejoin = Interlocked.Exchange(ref _rejoinRequested, 0) == 1;
                if (feed is null)
                {
                    return false;
                }

                if (!rejoin && Outbox.Phase != OutboxPhase.AwaitingWelcome)
                {
                    return true; // An earlier welcome already answered this request.
                }

                Outbox.BeginWelcome();
                try
                {
                    var snapshot = rejoin ? await RejoinRoomAsync(feed, cancellationToken) : await Call(feed.Room.GetSnapshot(), cancellationToken);
                    if (snapshot is null)
                    {
                        return false;
                    }

                    Outbox.CompleteWelcome(Welcome(snapshot), snapshot.Seq);
                    return true;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    if (rejoin)
                    {
                        Interlocked.Exchange(ref _rejoinRequested, 1);
                    }

                    WebFrontLog.BackendCallFailed(_logger, ex, ConnectionId, rejoin ? "rejoin" : "resync", feed.RoomId);
                    if (attempt == 0)
                    {
                        SendError(new(ErrorCodes.Unavailable, "The room did not answer; still trying."));
                    }

                    if (!retry)
                    {
                        return false;
                    }

                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _relay.MaxWelcomeRetryDelay.Ticks));
                }
            }
        }
        finally
        {
            _welcomeGate.Release();
        }
    }

    /// <summary>Joins again under the same id and name; null (and the socket leaves the room) when the room refuses.</summary>
    private async Task<RoomSnapshot?> RejoinRoomAsync(RoomFeed feed, CancellationToken cancellationToken)
    {
        WebFrontLog.Rejoining(_logger, ConnectionId, feed.RoomId);
        var call = feed.Room.Join(ConnectionId, _name!, mayCreateRoom: true, _clientAddress?.ToString());
        _joinCall = call;
        var result = await Call(call, cancellationToken);
        switch (result.Status)
        {
            case ChatStatus.Ok when result.Snapshot is not null:
                return result.Snapshot;
            case ChatStatus.AlreadyJoined:
                return await Call(feed.Room.GetSnapshot(), cancellationToken);
            default:
                SendError(result.Status);
                LeaveFeed();
                _joinSent = null;
                return null;
        }
    }

    // ---------------------------------------------------------------- helpers

    private void LeaveFeed()
    {
        var feed = Interlocked.Exchange(ref _feed, null);
        if (feed is not null)
        {
            feed.Remove(this);
            Outbox.Reset();
            _feeds.Release(feed);
        }
    }

    private async Task WaitQuietlyAsync(Task? call)
    {
        if (call is null)
        {
            return;
        }

        try
        {
            await call.WaitAsync(CleanupTimeout);
        }
        catch (Exception ex)
        {
            WebFrontLog.CleanupFailed(_logger, ex, ConnectionId, RoomId);
        }
    }

    /// <summary>Leaves, after any join still in flight: Orleans may deliver a later Leave before it, leaving a ghost.</summary>
    private async Task LeaveQuietlyAsync(IChatRoomGrain room)
    {
        await WaitQuietlyAsync(_joinCall);
        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            await room.Leave(ConnectionId).WaitAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            WebFrontLog.CleanupFailed(_logger, ex, ConnectionId, RoomId);
        }
    }

    private byte[] Welcome(RoomSnapshot snapshot)
    {
        Volatile.Write(ref _lastWelcomeAt, System.Diagnostics.Stopwatch.GetTimestamp());
        return ServerFrameWriter.Welcome(snapshot, ConnectionId, _name!, _serverId, _clientLimits);
    }

    private void SendError(ChatStatus status, string? reference = null) => SendError(ErrorCodes.FromStatus(status, _limits, reference));


    private Task<T> Call<T>(Task<T> call, CancellationToken cancellationToken) =>
        call.WaitAsync(_options.GrainCallTimeout, cancellationToken);
}
