using System.Net.WebSockets;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// One accepted WebSocket: a <see cref="SocketReader"/> turns frames into commands for the socket's
/// <see cref="RoomSession"/>; room events reach the session's <see cref="SocketOutbox"/> through the room's
/// <see cref="RoomFeed"/>; a <see cref="SocketWriter"/> sends what the outbox holds. This class starts them, closes a
/// socket that does not join in time or that the server lets go (shutdown), and on the way out leaves the room, lets
/// the last frames (the error that explains a close) go out, and closes.
/// </summary>
internal sealed class ChatConnection
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly ChatSocketOptions _options;
    private readonly ChatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly RoomSession _session;
    private readonly TaskCompletionSource<CloseRequest?> _serverClose = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _handling = new();
    private readonly Lock _dispatchGate = new();
    private Task _dispatching = Task.CompletedTask;
    private bool _dispatchStopped;

    public ChatConnection(WebSocket socket, RoomServices room, System.Net.IPAddress? clientAddress, ChatMetrics metrics, ILogger logger)
    {
        _socket = socket;
        _options = room.Options;
        _metrics = metrics;
        _logger = logger;
        _session = new RoomSession(ConnectionId, clientAddress, room, logger);
    }

    public string ConnectionId { get; } = ConnectionRegistry.NewConnectionId();

    /// <summary>What this socket is about to be sent (tests and diagnostics read where it stands).</summary>
    internal SocketOutbox Outbox => _session.Outbox;

    /// <summary>The server is shutting down: tell the client to reconnect elsewhere, leave the room, close 1012.</summary>
    public void GoAway() => CloseFromServer(CloseRequest.ServiceRestart, ServerFrameWriter.GoingAway());

    /// <summary>Runs the connection until the client leaves, the server closes it, or the request is aborted.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        WebFrontLog.Opened(_logger, ConnectionId);
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var handling = CancellationTokenSource.CreateLinkedTokenSource(aborted, _handling.Token);
        var writer = new SocketWriter(_socket, _session.Outbox, _options, _metrics, _logger, ConnectionId).RunAsync(writing.Token);
        var reader = new SocketReader(_socket, _options, _metrics, _logger, ConnectionId)
            .RunAsync((command, _) => Dispatch(command, handling.Token), _session.SendError, receiving.Token);
        using var joinDeadline = new Timer(_ => CheckJoined(), null, _options.JoinTimeout, Timeout.InfiniteTimeSpan);
        CloseRequest? close = null;
        var failedReceiving = false;
        try
        {
            // Cancelling a pending receive would abort the socket (no close frame could follow), so a close the server
            // decides on does not cancel the reader: the close frame goes out while it waits, and the client's answer
            // ends it.
            // The writer ends early only when a send failed or outlasted the send timeout: it aborted the socket, and
            // the connection ends here whether or not the pending receive noticed (a client that stopped reading
            // may never send another byte to wake it).
            var ended = await Task.WhenAny(reader, _serverClose.Task, writer);
            if (ended != writer)
            {
                close = await (Task<CloseRequest?>)ended;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            WebFrontLog.SocketFailed(_logger, ex, ConnectionId);
            failedReceiving = ex is WebSocketException && reader.IsFaulted;
        }
        finally
        {
            await StopDispatchingAsync();
            await _session.DisposeAsync();
            _session.Outbox.Complete();
            if (close is null)
            {
                await writing.CancelAsync();
            }
            else
            {
                // Let queued frames (such as the error that explains the close) go out first, briefly.
                writing.CancelAfter(CloseTimeout);
            }

            await writer;
            await CloseSocketAsync(close);
            await AwaitReaderAsync(reader, receiving);
            if (failedReceiving)
            {
                await LingerAsync(aborted);
            }
            _handling.Dispose();
            WebFrontLog.Closed(_logger, ConnectionId);
        }
    }

    /// <summary>Sends <paramref name="lastFrame"/>, then closes with <paramref name="close"/> (first caller wins).</summary>
    private void CloseFromServer(CloseRequest close, byte[] lastFrame)
    {
        lock (_dispatchGate)
        {
            if (_dispatchStopped || _serverClose.Task.IsCompleted)
            {
                return;
            }

            _session.Outbox.OfferControl(lastFrame);
            _serverClose.TrySetResult(close);
        }
    }

    private void CheckJoined()
    {
        if (_session.IsJoined || _session.IsJoining)
        {
            return;
        }

        var seconds = (int)Math.Ceiling(_options.JoinTimeout.TotalSeconds);
        WebFrontLog.ClosingForViolation(_logger, ConnectionId, WebSocketCloseStatus.PolicyViolation, "no join in time");
        CloseFromServer(
            new CloseRequest(WebSocketCloseStatus.PolicyViolation, $"Join a room within {seconds} s of connecting."),
            ServerFrameWriter.Error(new ProtocolError(ErrorCodes.JoinTimeout, $"No join frame within {seconds} s of connecting; closing.")));
    }

    /// <summary>One command at a time, none after the connection started closing.</summary>
    private Task Dispatch(ClientCommand command, CancellationToken cancellationToken)
    {
        lock (_dispatchGate)
        {
            if (_dispatchStopped || _serverClose.Task.IsCompleted)
            {
                return Task.CompletedTask;
            }

            _dispatching = _session.HandleAsync(command, cancellationToken);
            return _dispatching;
        }
    }

    private async Task StopDispatchingAsync()
    {
        Task last;
        lock (_dispatchGate)
        {
            _dispatchStopped = true;
            last = _dispatching;
        }

        await _handling.CancelAsync();
        try
        {
            await last;
        }
        catch (OperationCanceledException)
        {
            // The command was cut short by the close.
        }
    }

    /// <summary>
    /// The socket failed a frame the client sent (invalid UTF-8, a broken header) and closed itself: its close frame
    /// (1007, 1002) is on its way. Ending the connection at once can reset it before the client reads that frame, so
    /// wait, briefly, for the client to hang up first, as RFC 6455 asks of a server.
    /// </summary>
    private static async Task LingerAsync(CancellationToken clientGone)
    {
        if (!clientGone.IsCancellationRequested)
        {
            await Task.Delay(CloseTimeout, clientGone).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The client answers our close frame, which ends the reader; one that does not is aborted.</summary>
    private async Task AwaitReaderAsync(Task<CloseRequest?> reader, CancellationTokenSource receiving)
    {
        if (!reader.IsCompleted)
        {
            receiving.CancelAfter(CloseTimeout);
        }

        try
        {
            await reader;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            WebFrontLog.SocketFailed(_logger, ex, ConnectionId);
        }
    }

    private async Task CloseSocketAsync(CloseRequest? close)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            if (close is not null && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
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
}
