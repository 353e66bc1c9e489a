using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A protocol client over a real <see cref="ClientWebSocket"/>. A background loop reads every frame into a queue;
/// tests await the frames they expect, with a timeout, instead of sleeping.
/// </summary>
public sealed class ChatSocket : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _reading;
    private readonly Task _readLoop;
    private long _senderSeq;
    private int _disposed;

    private ChatSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _reading = new SemaphoreSlim(1, 1);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>The connection id from the last welcome.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>Every frame received so far, in order.</summary>
    public List<JsonElement> Received { get; } = [];

    public WebSocketState State => _socket.State;

    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>
    /// Opens a socket. <paramref name="receiveBufferBytes"/> pins the client's TCP receive buffer (no autotuning),
    /// so a client that stops reading pushes back on the server quickly.
    /// </summary>
    public static async Task<ChatSocket> ConnectAsync(Uri uri, string? origin = null, int? receiveBufferBytes = null, IDictionary<string, string>? headers = null)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            socket.Options.SetRequestHeader(name, value);
        }

        using var timeout = new CancellationTokenSource(DefaultTimeout);
        if (receiveBufferBytes is { } size)
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)
                    {
                        ReceiveBufferSize = size,
                        NoDelay = true,
                    };
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(tcp, ownsSocket: true);
                },
            };
            using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
            await socket.ConnectAsync(uri, invoker, timeout.Token);
        }
        else
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }

        return new ChatSocket(socket);
    }

    /// <summary>Connects and joins; returns the welcome frame.</summary>
    public static async Task<(ChatSocket Socket, JsonElement Welcome)> JoinAsync(Uri uri, string room, string name, int? receiveBufferBytes = null, IDictionary<string, string>? headers = null)
    {
        var socket = await ConnectAsync(uri, receiveBufferBytes: receiveBufferBytes, headers: headers);
        await socket.SendAsync(new { type = "join", room, name });
        var welcome = await socket.NextOfTypeAsync("welcome");
        return (socket, welcome);
    }

    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    public Task SendChunkAsync(string text) => SendAsync(new { type = "chunk", text, seq = Interlocked.Increment(ref _senderSeq) });

    public Task SendCommitAsync(string text, string id) => SendAsync(new { type = "commit", text, id });

    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>Sends raw bytes in a text frame (to test invalid UTF-8).</summary>
    public async Task SendTextBytesAsync(byte[] data)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(data, WebSocketMessageType.Text, true, timeout.Token);
    }

    public async Task SendBinaryAsync(byte[] data)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(data, WebSocketMessageType.Binary, true, timeout.Token);
    }

    /// <summary>Stops reading frames (the server's queue for this socket fills up) until <see cref="Resume"/>.</summary>
    public async Task PauseAsync() => await _reading.WaitAsync();

    public void Resume() => _reading.Release();

    /// <summary>The next frame (of any type).</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _frames.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame within {timeout ?? DefaultTimeout}. Received so far: {Describe()}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The socket closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}). Received: {Describe()}");
        }
    }

    /// <summary>Skips frames until one matches.</summary>
    public async Task<JsonElement> NextMatchingAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No matching frame. Received so far: {Describe()}");
            }

            var frame = await NextAsync(left);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    public Task<JsonElement> NextOfTypeAsync(string type, TimeSpan? timeout = null) =>
        NextMatchingAsync(f => f.GetProperty("type").GetString() == type, timeout);

    /// <summary>The next frame must be an error; returns its code.</summary>
    public async Task<string> NextErrorCodeAsync()
    {
        var frame = await NextOfTypeAsync("error");
        return frame.GetProperty("code").GetString()!;
    }

    /// <summary>Waits until the server closes the socket; returns the close status.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan? timeout = null) =>
        await _closed.Task.WaitAsync(timeout ?? DefaultTimeout);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                await _reading.WaitAsync(_stop.Token);
                _reading.Release();
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult(result.CloseStatus);
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, _stop.Token);
                    }

                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    using var document = JsonDocument.Parse(message.ToArray());
                    var frame = document.RootElement.Clone();
                    lock (Received)
                    {
                        Received.Add(frame);
                    }

                    if (frame.GetProperty("type").GetString() == "welcome")
                    {
                        ConnectionId = frame.GetProperty("connectionId").GetString();
                    }

                    await _frames.Writer.WriteAsync(frame);
                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // ObjectDisposedException: the test aborted the socket.
            _closed.TrySetResult(_socket.CloseStatus);
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    private string Describe()
    {
        lock (Received)
        {
            return string.Join(" | ", Received.TakeLast(10).Select(f => Shorten(f.GetRawText())));
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>Drops the connection without a close handshake (a tab killed, a cable pulled).</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                await _closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // The server went first; nothing left to close.
            }
        }

        await _stop.CancelAsync();
        try
        {
            await _readLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _reading.Dispose();
    }
}
