using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;

namespace OrleansChat.Client;

/// <summary>How a <see cref="ReconnectingChatSocket"/> connects.</summary>
public sealed class ChatSocketOptions
{
    public required Uri Uri { get; init; }

    public required string Room { get; init; }

    public required string Name { get; init; }

    /// <summary>The HTTP stack to connect through (e.g. one shared by many clients); null: the socket's own.</summary>
    public HttpMessageInvoker? Invoker { get; init; }

    /// <summary>Extra request headers of the upgrade (e.g. Origin).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Time for the connect and the join's welcome, after which the attempt counts as failed.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether to reconnect when the connection ends (false: one connection, as a plain client).</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>The sender sequence number of a draft sent again after a welcome (default: one more than the last sent).</summary>
    public Func<long>? NextDraftSeq { get; init; }

    public Random Random { get; init; } = Random.Shared;
}

/// <summary>
/// One chat participant's connection as the browser keeps it (docs/protocol.md): it joins, and when the socket goes
/// away (closed, broken, <c>goingAway</c> + 1012) it reconnects through the same URL with the browser's jittered
/// backoff (<see cref="ReconnectBackoff"/>), joins again and, after the new welcome, sends the unsent draft and every
/// unconfirmed commit again with the same id (<see cref="ChatRecovery"/>); a room sequence gap sends <c>resync</c>; a
/// commit refused as <c>unavailable</c> or <c>rate_limited</c> is re-sent after a while. Used by the test clients and
/// the load generator, so both follow one copy of these rules.
/// </summary>
public sealed class ReconnectingChatSocket : IAsyncDisposable
{
    private const int InitialReceiveBuffer = 2048;

    private readonly ChatSocketOptions _options;
    private readonly IChatSocketEvents _events;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(512);
    private readonly TaskCompletionSource<WelcomeFrame> _firstWelcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private volatile bool _live;
    private volatile bool _disposing;
    private Task _loop = Task.CompletedTask;
    private long _senderSeq;
    private int _welcomes;
    private int _disconnects;
    private int _connects;

    public ReconnectingChatSocket(ChatSocketOptions options, IChatSocketEvents events)
    {
        _options = options;
        _events = events;
    }

    public ChatRecovery Recovery { get; } = new();

    /// <summary>Whether the current socket has its welcome (sends go out now; otherwise after the next welcome).</summary>
    public bool IsLive => _live;

    /// <summary>Whether it still runs (not disposed, and not given up when <see cref="ChatSocketOptions.Reconnect"/> is off).</summary>
    public bool IsRunning => !_disposing && !_loop.IsCompleted;

    public string? ConnectionId { get; private set; }

    public string? Server { get; private set; }

    public int Welcomes => Volatile.Read(ref _welcomes);

    /// <summary>Connections that ended after they were live.</summary>
    public int Disconnects => Volatile.Read(ref _disconnects);

    /// <summary>Connections opened (the first and every reconnect).</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Starts connecting; the task completes with the first welcome (or fails when not reconnecting).</summary>
    public Task<WelcomeFrame> StartAsync(CancellationToken cancellationToken = default)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return _firstWelcome.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes with the first welcome (after <see cref="StartAsync"/>).</summary>
    public Task<WelcomeFrame> WaitForFirstWelcomeAsync(CancellationToken cancellationToken) => _firstWelcome.Task.WaitAsync(cancellationToken);

    /// <summary>Types a draft: sent now when live (true), else kept for the next welcome (false).</summary>
    public Task<bool> SendChunkAsync(string text, long seq, CancellationToken cancellationToken = default)
    {
        Recovery.Typed(text);
        RaiseSenderSeq(seq);
        return TrySendAsync(w => WriteChunk(w, text, seq), cancellationToken);
    }

    /// <summary>Types a draft with the next sender sequence number.</summary>
    public Task<bool> SendChunkAsync(string text, CancellationToken cancellationToken = default) =>
        SendChunkAsync(text, Interlocked.Increment(ref _senderSeq), cancellationToken);

    /// <summary>Commits: pending (and sent again after reconnects) until the room confirms it.</summary>
    public Task<bool> SendCommitAsync(string text, string id, CancellationToken cancellationToken = default)
    {
        Recovery.Committing(id, text);
        return TrySendAsync(w => WriteCommit(w, text, id), cancellationToken);
    }

    public Task<bool> SendCancelAsync(CancellationToken cancellationToken = default)
    {
        Recovery.Cancelled();
        return TrySendAsync(w => w.WriteString("type"u8, "cancel"u8), cancellationToken);
    }

    public Task<bool> SendResyncAsync(CancellationToken cancellationToken = default) =>
        TrySendAsync(w => w.WriteString("type"u8, "resync"u8), cancellationToken);

    /// <summary>Aborts the current socket without a close frame (a network failure, as far as the server can tell).</summary>
    public void Abort() => _socket?.Abort();

    private void RaiseSenderSeq(long seq)
    {
        long current;
        while ((current = Volatile.Read(ref _senderSeq)) < seq && Interlocked.CompareExchange(ref _senderSeq, seq, current) != current)
        {
        }
    }

    private static void WriteChunk(Utf8JsonWriter writer, string text, long seq)
    {
        writer.WriteString("type"u8, "chunk"u8);
        writer.WriteString("text"u8, text);
        writer.WriteNumber("seq"u8, seq);
    }

    private static void WriteCommit(Utf8JsonWriter writer, string text, string id)
    {
        writer.WriteString("type"u8, "commit"u8);
        writer.WriteString("text"u8, text);
        writer.WriteString("id"u8, id);
    }

    private async Task RunAsync()
    {
        var attempt = 0;
        while (!_disposing)
        {
            var socket = new ClientWebSocket();
            // The server pings idle sockets (and the client answers them); the client does not ping too.
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            foreach (var (name, value) in _options.Headers ?? new Dictionary<string, string>())
            {
                socket.Options.SetRequestHeader(name, value);
            }

            var outcome = new ConnectionOutcome();
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    timeout.CancelAfter(_options.ConnectTimeout);
                    if (_options.Invoker is { } invoker)
                    {
                        await socket.ConnectAsync(_options.Uri, invoker, timeout.Token);
                    }
                    else
                    {
                        await socket.ConnectAsync(_options.Uri, timeout.Token);
                    }
                }

                Interlocked.Increment(ref _connects);
                _socket = socket;
                await SendAsync(socket, w =>
                {
                    w.WriteString("type"u8, "join"u8);
                    w.WriteString("room"u8, _options.Room);
                    w.WriteString("name"u8, _options.Name);
                }, _stop.Token);
                await ReceiveAsync(socket, outcome);
                outcome.Reason ??= "closed " + (socket.CloseStatus is { } status ? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) : "without status");
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                outcome.Reason ??= _disposing ? "disposed" : "failed " + ex.GetType().Name;
            }
            finally
            {
                var wasLive = _live;
                _live = false;
                _socket = null;
                socket.Dispose();
                if (wasLive)
                {
                    Interlocked.Increment(ref _disconnects);
                }

                if (!_disposing)
                {
                    _events.OnDisconnected(outcome.Reason ?? "closed", wasLive);
                }
            }

            if (_disposing)
            {
                break;
            }

            if (!_options.Reconnect)
            {
                _firstWelcome.TrySetException(new WebSocketException("The connection ended: " + outcome.Reason));
                break;
            }

            // A server restart (goingAway, 1001, 1012) or a connection that stayed up is no failure of this client.
            var code = (int?)outcome.CloseStatus;
            if (outcome.GoingAway || code is 1001 or 1012
                || (outcome.LiveSince is { } since && Stopwatch.GetElapsedTime(since) >= ReconnectBackoff.StableConnection))
            {
                attempt = 0;
            }

            try
            {
                await Task.Delay(ReconnectBackoff.Delay(attempt++, _options.Random), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private sealed class ConnectionOutcome
    {
        public string? Reason;
        public bool GoingAway;
        public WebSocketCloseStatus? CloseStatus;
        public long? LiveSince;
    }

    private async Task ReceiveAsync(ClientWebSocket socket, ConnectionOutcome outcome)
    {
        var buffer = new byte[InitialReceiveBuffer];
        using var joinDeadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        joinDeadline.CancelAfter(_options.ConnectTimeout);
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (count == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(count), _live ? _stop.Token : joinDeadline.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    outcome.CloseStatus = socket.CloseStatus;
                    return;
                }

                count += result.Count;
            }
            while (!result.EndOfMessage);

            var arrivedAt = Stopwatch.GetTimestamp();
            await HandleAsync(socket, buffer.AsMemory(0, count), arrivedAt, outcome);
            if (buffer.Length > 64 * 1024)
            {
                buffer = new byte[InitialReceiveBuffer];
            }
        }
    }

    private async Task HandleAsync(ClientWebSocket socket, ReadOnlyMemory<byte> utf8, long arrivedAt, ConnectionOutcome outcome)
    {
        if (!ServerFrame.TryParse(utf8.Span, out var frame))
        {
            frame.Kind = FrameKind.Unparseable;
            _events.OnFrame(frame, EventOrder.Next, utf8.Span, arrivedAt);
            return;
        }

        if (frame.Kind == FrameKind.Welcome)
        {
            if (!WelcomeFrame.TryParse(utf8.Span, out var welcome))
            {
                return;
            }

            var first = Interlocked.Increment(ref _welcomes) == 1;
            var reconnected = !first && !_live;
            ConnectionId = welcome!.ConnectionId;
            Server = welcome.Server;
            var resend = Recovery.Welcomed(welcome);
            _events.OnWelcome(welcome, first, reconnected, utf8.Span, arrivedAt);
            _live = true;
            outcome.LiveSince ??= Stopwatch.GetTimestamp();
            _firstWelcome.TrySetResult(welcome);
            foreach (var (id, text) in resend.Commits)
            {
                await SendAsync(socket, w => WriteCommit(w, text, id), _stop.Token);
            }

            if (resend.Draft.Length > 0)
            {
                var seq = _options.NextDraftSeq?.Invoke() ?? Interlocked.Increment(ref _senderSeq);
                RaiseSenderSeq(seq);
                await SendAsync(socket, w => WriteChunk(w, resend.Draft, seq), _stop.Token);
            }

            return;
        }

        var order = EventOrder.Next;
        var resync = false;
        string? retry = null;
        switch (frame.Kind)
        {
            case FrameKind.GoingAway:
                outcome.GoingAway = true;
                break;
            case FrameKind.Committed:
                Recovery.Confirm(WelcomeFrame.Decode(frame.Id));
                break;
            case FrameKind.Error:
                // Like the browser: a commit the room could not take right now is re-sent later, same id.
                if (frame.Ref.Length > 0 && (frame.Id.SequenceEqual("unavailable"u8) || frame.Id.SequenceEqual("rate_limited"u8)))
                {
                    retry = WelcomeFrame.Decode(frame.Ref);
                }

                break;
            default:
                if (frame.Seq > 0)
                {
                    order = Recovery.Observe(frame.Seq);
                    resync = order == EventOrder.Gap;
                    if (frame.Kind == FrameKind.Commit && order != EventOrder.Stale)
                    {
                        Recovery.Confirm(WelcomeFrame.Decode(frame.Id));
                    }
                }

                break;
        }

        _events.OnFrame(frame, order, utf8.Span, arrivedAt);
        if (resync)
        {
            await SendAsync(socket, w => w.WriteString("type"u8, "resync"u8), _stop.Token);
        }

        if (retry is not null)
        {
            _ = RetryCommitLaterAsync(retry);
        }
    }

    private async Task RetryCommitLaterAsync(string id)
    {
        try
        {
            await Task.Delay(ReconnectBackoff.CommitRetryDelay(_options.Random), _stop.Token);
            if (Recovery.PendingText(id) is { } text)
            {
                await TrySendAsync(w => WriteCommit(w, text, id), _stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task<bool> TrySendAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var socket = _socket;
        if (socket is null || !_live)
        {
            return false;
        }

        try
        {
            await SendAsync(socket, write, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // Lost mid-send: the next welcome sends what matters again.
            return false;
        }
    }

    private async Task SendAsync(ClientWebSocket socket, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            _sendBuffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_sendBuffer))
            {
                writer.WriteStartObject();
                write(writer);
                writer.WriteEndObject();
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes politely (the server then leaves the room) and stops reconnecting.</summary>
    public async ValueTask DisposeAsync()
    {
        // No reconnect from here on; the close frame goes first (while the receive loop still reads the answer), then
        // whatever is left is cancelled.
        _disposing = true;
        var socket = _socket;
        if (socket is { State: WebSocketState.Open or WebSocketState.CloseReceived })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                }
                finally
                {
                    _sendLock.Release();
                }

                await _loop.WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or TimeoutException)
            {
                // Already gone, or no answer in time: cancelled below.
            }
        }

        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            socket?.Abort();
        }

        _firstWelcome.TrySetCanceled();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
