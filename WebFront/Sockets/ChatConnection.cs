using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.Model;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// One WebSocket. A reader loop parses client frames and calls the room grain; the connection's own stream
/// subscription feeds room events into a bounded outbound queue; a single writer loop sends them.
/// <para>
/// A socket that cannot keep up never blocks the stream or grows memory: when its queue is full, queued
/// and new events are dropped and, once the writer gets through, it sends a fresh <c>welcome</c> snapshot
/// that replaces everything the client missed.
/// </para>
/// </summary>
internal sealed class ChatConnection : IAsyncObserver<ChatEvent>
{
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>1012 Service Restart: the client should reconnect (the load balancer picks another server).</summary>
    private const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    private readonly WebSocket _socket;
    private readonly IClusterClient _cluster;
    private readonly ChatSocketOptions _options;
    private readonly ChatLimits _limits;
    private readonly ClientLimits _clientLimits;
    private readonly string _serverId;
    private readonly ILogger _logger;
    private readonly ChatMetrics _metrics;
    private readonly EventFrameCache _frames;
    private readonly Channel<OutboundFrame> _outbound;
    private readonly TokenBucket _bucket;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _goingAway = new();

    private IChatRoomGrain? _room;
    private string? _roomId;
    private string? _name;
    private StreamSubscriptionHandle<ChatEvent>? _subscription;

    // Guarded by _gate. While a snapshot is being taken, events are held in _buffered; afterwards only
    // events newer than the snapshot (_welcomeSeq) go out. _behind: the outbound queue overflowed.
    // _live: a welcome has been produced, so room events may flow to the client.
    private List<ChatEvent>? _buffered;
    private long _welcomeSeq;
    private bool _behind;
    private bool _live;
    private long _lastSeq;
    private long _expectedSeq;
    private bool _rejoinNeeded;

    private long _floodWindowStart;
    private int _droppedInWindow;
    private long _lastRateErrorAt;

    public ChatConnection(
        WebSocket socket,
        IClusterClient cluster,
        ChatSocketOptions options,
        ChatLimits limits,
        string serverId,
        ChatMetrics metrics,
        EventFrameCache frames,
        ILogger logger)
    {
        _metrics = metrics;
        _frames = frames;
        _socket = socket;
        _cluster = cluster;
        _options = options;
        _limits = limits;
        _serverId = serverId;
        _logger = logger;
        _clientLimits = new ClientLimits(limits.MaxNameLength, limits.MaxDraftLength, options.MaxFrameBytes);
        _bucket = new TokenBucket(options.FrameBurst, options.FramesPerSecond);
        _outbound = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string ConnectionId { get; } = ConnectionRegistry.NewConnectionId();

    /// <summary>The room this connection joined, or null.</summary>
    public string? RoomId => _roomId;

    /// <summary>The server is shutting down: tell the client to reconnect elsewhere, leave the room, close 1012.</summary>
    public void GoAway()
    {
        try
        {
            _goingAway.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>
    /// Called with the room's sequence number at each lease renewal: if the events this socket was given are still
    /// short of the number reported at the previous renewal, some were lost on the way; send a fresh snapshot.
    /// </summary>
    public void CheckCaughtUp(long roomSeq)
    {
        bool resync;
        lock (_gate)
        {
            resync = _live && _buffered is null && _expectedSeq > 0 && _lastSeq < _expectedSeq;
            _expectedSeq = roomSeq;
        }

        if (resync)
        {
            RequestResync();
        }
    }

    /// <summary>The room no longer knows this connection (its lease lapsed or the room restarted): rejoin it.</summary>
    public void RequestRejoin()
    {
        lock (_gate)
        {
            _rejoinNeeded = true;
        }

        if (!_outbound.Writer.TryWrite(OutboundFrame.Resync))
        {
            lock (_gate)
            {
                _behind = true;
            }
        }
    }

    /// <summary>Runs the connection until the client leaves, the server closes it, or the request is aborted.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        WebFrontLog.Opened(_logger, ConnectionId);
        using var writerCancellation = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(aborted, _goingAway.Token);
        var writer = WriteLoopAsync(writerCancellation.Token);
        CloseRequest? close = null;
        try
        {
            close = await ReadLoopAsync(reading.Token);
        }
        catch (OperationCanceledException) when (_goingAway.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            SendFrame(ServerFrameWriter.GoingAway());
            close = new CloseRequest(ServiceRestart, "The server is restarting; reconnect.");
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            WebFrontLog.SocketFailed(_logger, ex, ConnectionId);
        }
        finally
        {
            await LeaveRoomAsync();
            _outbound.Writer.TryComplete();
            if (close is null)
            {
                await writerCancellation.CancelAsync();
            }
            else
            {
                // Let queued frames (such as the error that explains the close) go out first, briefly.
                writerCancellation.CancelAfter(CloseTimeout);
            }

            await writer;
            await CloseSocketAsync(close);
            _goingAway.Dispose();
            WebFrontLog.Closed(_logger, ConnectionId);
        }
    }

    // ---------------------------------------------------------------- reading

    private async Task<CloseRequest?> ReadLoopAsync(CancellationToken cancellationToken)
    {
        var limit = _options.MaxFrameBytes;
        while (true)
        {
            // Wait for the next message without holding a buffer (a zero-byte read): most sockets are idle most of the
            // time, and a buffer rented for the socket's whole life would cost each of them 32 KiB (the pool rounds
            // MaxFrameBytes + 1 up to a power of two).
            var first = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            switch (first.MessageType)
            {
                case WebSocketMessageType.Close:
                    return null;
                case WebSocketMessageType.Binary:
                    return Violation(WebSocketCloseStatus.InvalidMessageType, "Only text frames are accepted.");
            }

            ClientFrame frame;
            ProtocolError error;
            bool parsed;
            var rented = ArrayPool<byte>.Shared.Rent(limit + 1);
            try
            {
                var buffer = rented.AsMemory(0, limit + 1);
                var count = 0;
                var result = first;
                while (!result.EndOfMessage)
                {
                    if (count > limit)
                    {
                        return Violation(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {limit} bytes.");
                    }

                    result = await _socket.ReceiveAsync(buffer[count..], cancellationToken);
                    switch (result.MessageType)
                    {
                        case WebSocketMessageType.Close:
                            return null;
                        case WebSocketMessageType.Binary:
                            return Violation(WebSocketCloseStatus.InvalidMessageType, "Only text frames are accepted.");
                    }

                    count += result.Count;
                }

                if (count > limit)
                {
                    return Violation(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {limit} bytes.");
                }

                _metrics.FrameReceived();
                if (!_bucket.TryTake())
                {
                    _metrics.RateLimited();
                    if (RateLimited())
                    {
                        return Violation(WebSocketCloseStatus.PolicyViolation, "Too many frames.");
                    }

                    continue;
                }

                // Parse while the bytes are here; the buffer goes back to the pool before the (slow) grain call.
                parsed = ClientFrameParser.TryParse(buffer.Span[..count], out frame, out error);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            if (parsed)
            {
                await HandleAsync(frame, cancellationToken);
            }
            else
            {
                SendError(error);
            }
        }
    }

    private CloseRequest Violation(WebSocketCloseStatus status, string reason)
    {
        WebFrontLog.ClosingForViolation(_logger, ConnectionId, status, reason);
        return new CloseRequest(status, reason);
    }

    /// <summary>Drops the frame; tells the client at most once a second; true when it is a flood.</summary>
    private bool RateLimited()
    {
        var now = Environment.TickCount64;
        if (now - _floodWindowStart > _options.FloodWindow.TotalMilliseconds)
        {
            _floodWindowStart = now;
            _droppedInWindow = 0;
        }

        if (++_droppedInWindow >= _options.FloodCloseThreshold)
        {
            return true;
        }

        if (now - _lastRateErrorAt >= 1000)
        {
            _lastRateErrorAt = now;
            SendError(new(ErrorCodes.RateLimited, $"Slow down: at most {_options.FramesPerSecond} frames a second. Frames were dropped."));
        }

        return false;
    }

    private async Task HandleAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        var reference = frame.Type == ClientFrameType.Commit ? frame.Id : null;
        try
        {
            switch (frame.Type)
            {
                case ClientFrameType.Join:
                    await JoinAsync(frame, cancellationToken);
                    break;
                case ClientFrameType.Chunk:
                    await ChunkAsync(frame, cancellationToken);
                    break;
                case ClientFrameType.Commit:
                    await CommitAsync(frame, cancellationToken);
                    break;
                case ClientFrameType.Cancel:
                    await CancelAsync(cancellationToken);
                    break;
                case ClientFrameType.Resync:
                    RequestResync();
                    break;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            WebFrontLog.BackendCallFailed(_logger, ex, ConnectionId, frame.Type.ToString(), _roomId);
            SendError(new(ErrorCodes.Unavailable, "The chat service did not answer in time; try again.", reference));
        }
    }

    private async Task JoinAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (_room is not null)
        {
            SendError(ErrorCodes.FromStatus(ChatStatus.AlreadyJoined, _limits));
            return;
        }

        var roomId = ChatValidation.NormalizeRoomId(frame.Room ?? ChatValidation.DefaultRoom);
        if (roomId is null)
        {
            SendError(ErrorCodes.FromStatus(ChatStatus.InvalidRoom, _limits));
            return;
        }

        var nameStatus = ChatValidation.CheckDisplayName(frame.Name, _limits, out var name);
        if (nameStatus != ChatStatus.Ok)
        {
            SendError(ErrorCodes.FromStatus(nameStatus, _limits));
            return;
        }

        var room = _cluster.GetGrain<IChatRoomGrain>(roomId);
        var stream = _cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(roomId));

        // Subscribe before joining, buffering events, so nothing between the snapshot and live delivery is lost.
        BeginSnapshot();
        StreamSubscriptionHandle<ChatEvent>? subscription = null;
        try
        {
            subscription = await SubscribeWithRetryAsync(stream, cancellationToken);
            var result = await Call(room.Join(ConnectionId, name), cancellationToken);
            if (result.Status != ChatStatus.Ok || result.Snapshot is null)
            {
                AbortSnapshot();
                await Call(subscription.UnsubscribeAsync(), cancellationToken);
                SendError(ErrorCodes.FromStatus(result.Status, _limits));
                return;
            }

            _room = room;
            _roomId = roomId;
            _name = name;
            _subscription = subscription;
            WebFrontLog.Joined(_logger, ConnectionId, roomId, name);
            Enqueue(CompleteSnapshot(result.Snapshot));
        }
        catch
        {
            AbortSnapshot();
            if (_subscription is null && subscription is not null)
            {
                await UnsubscribeQuietly(subscription, roomId);
            }

            throw;
        }
    }

    private async Task ChunkAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!TryRequireRoom(out var room, null))
        {
            return;
        }

        if (frame.Text is null || frame.Seq is null)
        {
            SendError(new(ErrorCodes.InvalidFrame, "A chunk needs \"text\" (the whole draft) and \"seq\"."));
            return;
        }

        var precheck = frame.Seq < 0 ? ChatStatus.InvalidSequence : ChatValidation.CheckText(frame.Text, _limits, isCommit: false);
        if (precheck != ChatStatus.Ok)
        {
            SendError(ErrorCodes.FromStatus(precheck, _limits));
            return;
        }

        var status = await Call(room.UpdateDraft(ConnectionId, frame.Text, frame.Seq.Value), cancellationToken);
        if (status == ChatStatus.NotJoined && await RejoinAsync(room, cancellationToken))
        {
            status = await Call(room.UpdateDraft(ConnectionId, frame.Text, frame.Seq.Value), cancellationToken);
        }

        if (status is not (ChatStatus.Ok or ChatStatus.Stale))
        {
            SendError(ErrorCodes.FromStatus(status, _limits));
        }
    }

    private async Task CommitAsync(ClientFrame frame, CancellationToken cancellationToken)
    {
        if (!TryRequireRoom(out var room, frame.Id))
        {
            return;
        }

        if (!ChatValidation.IsValidClientMessageId(frame.Id))
        {
            SendError(ErrorCodes.FromStatus(ChatStatus.InvalidMessageId, _limits));
            return;
        }

        var precheck = ChatValidation.CheckText(frame.Text, _limits, isCommit: true);
        if (precheck != ChatStatus.Ok)
        {
            SendError(ErrorCodes.FromStatus(precheck, _limits, frame.Id));
            return;
        }

        var result = await Call(room.Commit(ConnectionId, frame.Text!, frame.Id!), cancellationToken);
        if (result.Status == ChatStatus.NotJoined && await RejoinAsync(room, cancellationToken))
        {
            result = await Call(room.Commit(ConnectionId, frame.Text!, frame.Id!), cancellationToken);
        }

        // Ok: everyone, this socket included, sees the commit event. Duplicate: it was stored before, but this
        // client may have missed its event (a retry after a failure): a fresh snapshot settles it either way.
        if (result.Status == ChatStatus.Duplicate)
        {
            RequestResync();
        }
        else if (result.Status != ChatStatus.Ok)
        {
            SendError(ErrorCodes.FromStatus(result.Status, _limits, frame.Id));
        }
    }

    private async Task CancelAsync(CancellationToken cancellationToken)
    {
        if (!TryRequireRoom(out var room, null))
        {
            return;
        }

        var status = await Call(room.CancelDraft(ConnectionId), cancellationToken);
        if (status == ChatStatus.NotJoined)
        {
            // The room no longer knows this connection, so it holds no draft of it either.
            await RejoinAsync(room, cancellationToken);
        }
        else if (status != ChatStatus.Ok)
        {
            SendError(ErrorCodes.FromStatus(status, _limits));
        }
    }

    private bool TryRequireRoom(out IChatRoomGrain room, string? reference)
    {
        room = _room!;
        if (_room is not null)
        {
            return true;
        }

        SendError(ErrorCodes.FromStatus(ChatStatus.NotJoined, _limits, reference));
        return false;
    }

    /// <summary>
    /// The room forgot this connection (its activation was replaced): join again under the same id and name
    /// and send the client a fresh snapshot. The stream subscription is unaffected.
    /// </summary>
    private async Task<bool> RejoinAsync(IChatRoomGrain room, CancellationToken cancellationToken)
    {
        WebFrontLog.Rejoining(_logger, ConnectionId, _roomId!);
        BeginSnapshot();
        try
        {
            var result = await Call(room.Join(ConnectionId, _name!), cancellationToken);
            if (result.Status != ChatStatus.Ok || result.Snapshot is null)
            {
                AbortSnapshot();
                SendError(ErrorCodes.FromStatus(result.Status, _limits));
                return false;
            }

            Enqueue(CompleteSnapshot(result.Snapshot));
            return true;
        }
        catch
        {
            AbortSnapshot();
            throw;
        }
    }

    private void RequestResync()
    {
        if (_room is null)
        {
            SendError(ErrorCodes.FromStatus(ChatStatus.NotJoined, _limits));
            return;
        }

        if (!_outbound.Writer.TryWrite(OutboundFrame.Resync))
        {
            lock (_gate)
            {
                _behind = true;
            }
        }
    }

    /// <summary>
    /// Subscribing right after a silo failure or on a cold cluster can time out once (the stream's pub-sub grain is
    /// moving); three attempts with a short backoff, each bounded by the grain call timeout.
    /// </summary>
    private async Task<StreamSubscriptionHandle<ChatEvent>> SubscribeWithRetryAsync(IAsyncStream<ChatEvent> stream, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await Call(stream.SubscribeAsync(this), cancellationToken);
            }
            catch (Exception ex) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                WebFrontLog.BackendCallFailed(_logger, ex, ConnectionId, "subscribe", _roomId);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    private Task<T> Call<T>(Task<T> call, CancellationToken cancellationToken) =>
        call.WaitAsync(_options.GrainCallTimeout, cancellationToken);

    private Task Call(Task call, CancellationToken cancellationToken) =>
        call.WaitAsync(_options.GrainCallTimeout, cancellationToken);

    // ---------------------------------------------------------------- room events (stream subscription)

    public Task OnNextAsync(ChatEvent item, StreamSequenceToken? token = null)
    {
        lock (_gate)
        {
            if (_buffered is not null)
            {
                if (_buffered.Count < _options.OutboundQueueCapacity)
                {
                    _buffered.Add(item);
                }
                else
                {
                    _behind = true;
                }

                return Task.CompletedTask;
            }

            if (!_live || item.Seq <= _welcomeSeq)
            {
                return Task.CompletedTask;
            }

            _lastSeq = Math.Max(_lastSeq, item.Seq);

            if (_behind)
            {
                _metrics.FellBehind();
                return Task.CompletedTask;
            }
        }

        if (_outbound.Writer.TryWrite(new OutboundFrame(item.Seq, _frames.Frame(item), item.PublishedAt)))
        {
            _metrics.EventRelayed();
        }
        else
        {
            _metrics.FellBehind();
            lock (_gate)
            {
                _behind = true;
            }
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        WebFrontLog.StreamError(_logger, ex, ConnectionId);
        return Task.CompletedTask;
    }

    private void BeginSnapshot()
    {
        lock (_gate)
        {
            _buffered ??= [];
        }
    }

    private void AbortSnapshot()
    {
        lock (_gate)
        {
            _buffered = null;
        }
    }

    /// <summary>Ends buffering: the welcome frame, then every buffered event newer than the snapshot.</summary>
    private List<OutboundFrame> CompleteSnapshot(RoomSnapshot snapshot)
    {
        var frames = new List<OutboundFrame>
        {
            new(0, ServerFrameWriter.Welcome(snapshot, ConnectionId, _name!, _serverId, _clientLimits)),
        };
        lock (_gate)
        {
            foreach (var item in _buffered ?? [])
            {
                if (item.Seq > snapshot.Seq)
                {
                    frames.Add(new OutboundFrame(item.Seq, _frames.Frame(item), item.PublishedAt));
                }
            }

            _buffered = null;
            _welcomeSeq = snapshot.Seq;
            _lastSeq = Math.Max(snapshot.Seq, frames.Count > 1 ? frames[^1].Seq : 0);
            _live = true;
        }

        return frames;
    }

    private void Enqueue(List<OutboundFrame> frames)
    {
        foreach (var frame in frames)
        {
            if (!_outbound.Writer.TryWrite(frame))
            {
                lock (_gate)
                {
                    _behind = true;
                }

                return;
            }
        }
    }

    private void SendError(ProtocolError error) => SendFrame(ServerFrameWriter.Error(error));

    private void SendFrame(byte[] payload)
    {
        // A frame that does not fit means the client is not reading; the resync that follows covers it.
        if (!_outbound.Writer.TryWrite(new OutboundFrame(0, payload)))
        {
            lock (_gate)
            {
                _behind = true;
            }
        }
    }

    // ---------------------------------------------------------------- writing

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                var resyncRequested = false;
                while (reader.TryRead(out var frame))
                {
                    if (frame.Payload is null)
                    {
                        resyncRequested = true;
                    }
                    else if (!IsBehind() && (frame.Seq == 0 || frame.Seq > Volatile.Read(ref _welcomeSeq)))
                    {
                        // Frames already covered by the latest welcome are skipped; so is everything queued
                        // while the socket is behind, since the resync below replaces it.
                        await SendAsync(frame, sendTimeout, cancellationToken);
                    }
                }

                var behind = IsBehind();
                if (behind || resyncRequested)
                {
                    await ResyncAsync(behind, sendTimeout, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ChannelClosedException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                // A send timed out or failed: the socket is dead to us; make the reader loop end too.
                WebFrontLog.SocketFailed(_logger, ex, ConnectionId);
                _socket.Abort();
            }
        }
    }

    private bool IsBehind()
    {
        lock (_gate)
        {
            return _behind;
        }
    }

    /// <summary>Sends a fresh snapshot (as a welcome frame) that replaces whatever the client has.</summary>
    private async Task ResyncAsync(bool behind, CancellationTokenSource sendTimeout, CancellationToken cancellationToken)
    {
        var room = _room;
        if (room is null)
        {
            return;
        }

        if (behind)
        {
            WebFrontLog.FellBehind(_logger, ConnectionId);
        }

        bool rejoin;
        lock (_gate)
        {
            _behind = false;
            _buffered ??= [];
            rejoin = _rejoinNeeded;
            _rejoinNeeded = false;
        }

        List<OutboundFrame> frames;
        try
        {
            RoomSnapshot? snapshot = null;
            if (rejoin)
            {
                WebFrontLog.Rejoining(_logger, ConnectionId, _roomId!);
                var joined = await Call(room.Join(ConnectionId, _name!), cancellationToken);
                snapshot = joined.Snapshot;
            }

            frames = CompleteSnapshot(snapshot ?? await Call(room.GetSnapshot(), cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The client sees a sequence gap and asks again.
            AbortSnapshot();
            WebFrontLog.BackendCallFailed(_logger, ex, ConnectionId, "resync", _roomId);
            return;
        }

        foreach (var frame in frames)
        {
            await SendAsync(frame, sendTimeout, cancellationToken);
        }
    }

    private async Task SendAsync(OutboundFrame frame, CancellationTokenSource sendTimeout, CancellationToken cancellationToken)
    {
        sendTimeout.CancelAfter(_options.SendTimeout);
        await _socket.SendAsync(frame.Payload!, WebSocketMessageType.Text, endOfMessage: true, sendTimeout.Token);
        if (!sendTimeout.TryReset())
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        _metrics.FrameSent();
        _metrics.Relayed(frame.PublishedAt);
    }

    // ---------------------------------------------------------------- leaving

    private async Task LeaveRoomAsync()
    {
        if (_subscription is not null)
        {
            await UnsubscribeQuietly(_subscription, _roomId);
        }

        if (_room is not null)
        {
            try
            {
                using var timeout = new CancellationTokenSource(CleanupTimeout);
                await _room.Leave(ConnectionId).WaitAsync(timeout.Token);
            }
            catch (Exception ex)
            {
                WebFrontLog.CleanupFailed(_logger, ex, ConnectionId, _roomId);
            }
        }
    }

    private async Task UnsubscribeQuietly(StreamSubscriptionHandle<ChatEvent> subscription, string? roomId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            await subscription.UnsubscribeAsync().WaitAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            WebFrontLog.CleanupFailed(_logger, ex, ConnectionId, roomId);
        }
    }

    private async Task CloseSocketAsync(CloseRequest? close)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            if (close is not null && _socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(close.Status, close.Reason, timeout.Token);
            }
            else if (_socket.State == WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            WebFrontLog.SocketFailed(_logger, ex, ConnectionId);
        }
    }

    private sealed record CloseRequest(WebSocketCloseStatus Status, string Reason);
}
