using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A protocol client that behaves like the browser client: it reconnects by itself (through whatever URL it was
/// given, e.g. a load balancer), rejoins, treats every welcome as the whole truth, resyncs on a sequence gap and
/// re-sends its unconfirmed commits (same id) and its draft after each welcome. Tests read its state and await
/// conditions on it.
/// </summary>
public sealed class ResilientChatClient : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly string _room;
    private readonly string _name;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly List<string> _log = [];
    private readonly Dictionary<string, string> _pending = [];
    private readonly Dictionary<string, string> _drafts = [];
    private readonly HashSet<string> _participants = [];
    private readonly HashSet<string> _servers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private Task? _loop;
    private long _lastSeq;
    private long _senderSeq;
    private string _draft = string.Empty;

    public ResilientChatClient(Uri uri, string room, string name)
    {
        _uri = uri;
        _room = room;
        _name = name;
    }

    public string? ConnectionId { get; private set; }

    public string? Server { get; private set; }

    public bool IsLive { get; private set; }

    public int Welcomes { get; private set; }

    public int Disconnects { get; private set; }

    public int GapsSeen { get; private set; }

    /// <summary>Client message ids of committed messages as this client shows them (after the latest welcome).</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public IReadOnlyCollection<string> ServersSeen
    {
        get
        {
            lock (_gate)
            {
                return [.. _servers];
            }
        }
    }

    public IReadOnlyDictionary<string, string> Drafts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_drafts);
            }
        }
    }

    public IReadOnlyCollection<string> Participants
    {
        get
        {
            lock (_gate)
            {
                return [.. _participants];
            }
        }
    }

    public int PendingCommits
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Types a draft (sent now if connected, else after the next welcome).</summary>
    public async Task TypeAsync(string draft)
    {
        lock (_gate)
        {
            _draft = draft;
        }

        await TrySendAsync(new { type = "chunk", text = draft, seq = Interlocked.Increment(ref _senderSeq) });
    }

    /// <summary>Commits a message; it stays pending (and is re-sent after reconnects) until the room confirms it.</summary>
    public async Task<string> CommitAsync(string text)
    {
        var id = Guid.NewGuid().ToString("N");
        lock (_gate)
        {
            _pending[id] = text;
            _draft = string.Empty;
        }

        await TrySendAsync(new { type = "commit", text, id });
        return id;
    }

    /// <summary>Waits until the condition holds (re-checked after every frame and state change).</summary>
    public async Task WaitUntilAsync(Func<ResilientChatClient, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{_name}: timed out after {timeout} waiting until {what}. Live={IsLive} server={Server} " +
                    $"log={Log.Count} pending={PendingCommits} disconnects={Disconnects} welcomes={Welcomes}");
            }

            // Wake on the next change, or re-check at least once a second (time-based conditions).
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1) < left ? TimeSpan.FromSeconds(1) : left));
        }
    }

    private async Task RunAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            var socket = new ClientWebSocket();
            try
            {
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                    await socket.ConnectAsync(_uri, connectTimeout.Token);
                }

                _socket = socket;
                await SendAsync(socket, new { type = "join", room = _room, name = _name });
                backoff = TimeSpan.FromMilliseconds(100);
                await ReadAsync(socket);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or HttpRequestException)
            {
                // Connection lost or refused: reconnect below.
            }
            finally
            {
                _socket = null;
                socket.Dispose();
                lock (_gate)
                {
                    if (IsLive)
                    {
                        Disconnects++;
                    }

                    IsLive = false;
                    Pulse();
                }
            }

            if (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private async Task ReadAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, _stop.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            using var document = JsonDocument.Parse(message.ToArray());
            message.SetLength(0);
            await HandleAsync(socket, document.RootElement);
        }
    }

    private async Task HandleAsync(ClientWebSocket socket, JsonElement frame)
    {
        var type = frame.GetProperty("type").GetString();
        object[] resend = [];
        var resync = false;
        lock (_gate)
        {
            if (type == "welcome")
            {
                Welcomes++;
                IsLive = true;
                ConnectionId = frame.GetProperty("connectionId").GetString();
                Server = frame.GetProperty("server").GetString();
                _servers.Add(Server!);
                _lastSeq = frame.GetProperty("seq").GetInt64();
                _log.Clear();
                _log.AddRange(frame.GetProperty("history").EnumerateArray().Select(m => m.GetProperty("clientMessageId").GetString()!));
                foreach (var id in _log)
                {
                    _pending.Remove(id);
                }

                _participants.Clear();
                foreach (var p in frame.GetProperty("participants").EnumerateArray())
                {
                    _participants.Add(p.GetProperty("connectionId").GetString()!);
                }

                _drafts.Clear();
                foreach (var d in frame.GetProperty("drafts").EnumerateArray())
                {
                    _drafts[d.GetProperty("connectionId").GetString()!] = d.GetProperty("text").GetString()!;
                }

                // What the server does not have yet goes again: unconfirmed commits (same id) and the draft.
                resend = [.. _pending.Select(p => (object)new { type = "commit", text = p.Value, id = p.Key })];
                if (_draft.Length > 0)
                {
                    resend = [.. resend, new { type = "chunk", text = _draft, seq = Interlocked.Increment(ref _senderSeq) }];
                }
            }
            else if (type == "error")
            {
                // Like the browser client: a commit the room could not take right now is retried, same id.
                var code = frame.GetProperty("code").GetString();
                if (frame.TryGetProperty("ref", out var reference) && reference.GetString() is { } id
                    && code is "unavailable" or "rate_limited" && _pending.TryGetValue(id, out var text))
                {
                    _ = RetryCommitLaterAsync(id, text);
                }
            }
            else if (frame.TryGetProperty("seq", out var seqElement))
            {
                var seq = seqElement.GetInt64();
                if (seq <= _lastSeq)
                {
                    return;
                }

                if (seq != _lastSeq + 1)
                {
                    GapsSeen++;
                    resync = true;
                }

                _lastSeq = seq;
                switch (type)
                {
                    case "commit":
                        var message = frame.GetProperty("message");
                        var id = message.GetProperty("clientMessageId").GetString()!;
                        _log.Add(id);
                        _pending.Remove(id);
                        _drafts.Remove(message.GetProperty("connectionId").GetString()!);
                        break;
                    case "chunk":
                        var text = frame.GetProperty("text").GetString()!;
                        var sender = frame.GetProperty("connectionId").GetString()!;
                        if (text.Length == 0)
                        {
                            _drafts.Remove(sender);
                        }
                        else
                        {
                            _drafts[sender] = text;
                        }

                        break;
                    case "cleared":
                        _drafts.Remove(frame.GetProperty("connectionId").GetString()!);
                        break;
                    case "joined":
                        _participants.Add(frame.GetProperty("participant").GetProperty("connectionId").GetString()!);
                        break;
                    case "left":
                        var left = frame.GetProperty("connectionId").GetString()!;
                        _participants.Remove(left);
                        _drafts.Remove(left);
                        break;
                }
            }

            Pulse();
        }

        foreach (var frameToSend in resend)
        {
            await SendAsync(socket, frameToSend);
        }

        if (resync)
        {
            await SendAsync(socket, new { type = "resync" });
        }
    }

    private async Task RetryCommitLaterAsync(string id, string text)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300 + Random.Shared.Next(0, 300)), _stop.Token);
            await TrySendAsync(new { type = "commit", text, id });
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private async Task TrySendAsync(object frame)
    {
        var socket = _socket;
        if (socket is null || !IsLive)
        {
            return;
        }

        try
        {
            await SendAsync(socket, frame);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Lost mid-send: the reconnect re-sends what matters.
        }
    }

    private async Task SendAsync(ClientWebSocket socket, object frame)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame));
        await _sendLock.WaitAsync(_stop.Token);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, timeout.Token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        var socket = _socket;
        if (socket is { State: WebSocketState.Open })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        _sendLock.Dispose();
    }
}
