using System.Net.WebSockets;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// One accepted WebSocket: a <see cref="SocketReader"/> turns frames into commands for the socket's
/// <see cref="RoomSession"/>; room events reach the session's <see cref="SocketOutbox"/> through the room's
/// <see cref="RoomFeed"/>; a <see cref="SocketWriter"/> sends what the outbox holds. This class starts them, and on
/// the way out leaves the room, lets the last frames (the error that explains a close) go out, and closes.
/// </summary>
internal sealed class ChatConnection
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly ChatSocketOptions _options;
    private readonly ChatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly RoomSession _session;
    private readonly CancellationTokenSource _goingAway = new();

    public ChatConnection(
        WebSocket socket,
        RoomServices room,
        System.Net.IPAddress? clientAddress,
        ChatMetrics metrics,
        ILogger logger)
    {
        _socket = socket;
        _options = room.Options;
        _metrics = metrics;
        _logger = logger;
        _session = new RoomSession(ConnectionId, clientAddress, room, logger);
    }

    public string ConnectionId { get; } = ConnectionRegistry.NewConnectionId();

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

    /// <summary>Runs the connection until the client leaves, the server closes it, or the request is aborted.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        WebFrontLog.Opened(_logger, ConnectionId);
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(aborted, _goingAway.Token);
        var writer = new SocketWriter(_socket, _session.Outbox, _options, _metrics, _logger, ConnectionId).RunAsync(writing.Token);
        var reader = new SocketReader(_socket, _options, _metrics, _logger, ConnectionId);
        CloseRequest? close = null;
        try
        {
            close = await reader.RunAsync(_session.HandleAsync, _session.SendError, reading.Token);
        }
        catch (OperationCanceledException) when (_goingAway.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            _session.Outbox.OfferControl(ServerFrameWriter.GoingAway());
            close = CloseRequest.ServiceRestart;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            WebFrontLog.SocketFailed(_logger, ex, ConnectionId);
        }
        finally
        {
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
            _goingAway.Dispose();
            WebFrontLog.Closed(_logger, ConnectionId);
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
}
