using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// The part the JSON-over-WebSocket protocols share: a <see cref="ClientWebSocket"/>, one receive loop that stamps
/// each whole frame's arrival and hands it to <see cref="OnFrame"/>, the <c>join</c> and <c>chunk</c> frames (the same
/// in both), and a polite close. Subclasses parse what arrives and say how a commit is sent.
/// </summary>
public abstract class WebSocketTransport : IChatTransport
{
    private const int InitialReceiveBuffer = 2048;

    private readonly ArrayBufferWriter<byte> _sendBuffer = new(512);
    private readonly CancellationToken _stopping;
    private ClientWebSocket? _socket;
    private Task _receiving = Task.CompletedTask;
    private TaskCompletionSource<string>? _joined;

    protected WebSocketTransport(IChatEvents events, CancellationToken stopping)
    {
        Events = events;
        _stopping = stopping;
    }

    protected IChatEvents Events { get; }

    /// <summary>The name this connection joined with.</summary>
    protected string Name { get; private set; } = "";

    /// <summary>Whether the server's answer to the join has arrived.</summary>
    protected bool HasJoined => _joined?.Task.IsCompleted == true;

    public abstract bool EchoesToSender { get; }

    public bool IsOpen => _socket?.State == WebSocketState.Open;

    public async Task<string> ConnectAsync(Uri uri, string room, string name, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // The servers ping idle sockets (or need no pings); the client does not ping too.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
            Name = name;
            var joined = _joined = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _socket = socket;
            _receiving = Task.Run(() => ReceiveLoopAsync(socket), CancellationToken.None);
            await SendJsonAsync(writer =>
            {
                writer.WriteString("type"u8, "join"u8);
                writer.WriteString("room"u8, room);
                writer.WriteString("name"u8, name);
            }, cancellationToken);
            return await joined.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            // A retry starts over with a new socket; this one must not keep receiving (nor report that it stopped).
            if (ReferenceEquals(_socket, socket))
            {
                _socket = null;
            }

            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    public Task SendChunkAsync(string text, long seq, CancellationToken cancellationToken) =>
        SendJsonAsync(writer =>
        {
            writer.WriteString("type"u8, "chunk"u8);
            writer.WriteString("text"u8, text);
            writer.WriteNumber("seq"u8, seq);
        }, cancellationToken);

    public abstract Task SendCommitAsync(string text, string id, CancellationToken cancellationToken);

    /// <summary>Completes the join with the id other members will see as this connection's sender.</summary>
    protected void Joined(string senderId) => _joined?.TrySetResult(senderId);

    /// <summary>Handles one whole frame, stamped when its last byte was read.</summary>
    protected abstract void OnFrame(ReadOnlySpan<byte> utf8, long arrivedAt);

    /// <summary>Decodes a short UTF-8 id into <paramref name="chars"/>; empty when it does not fit.</summary>
    internal static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, Span<char> chars) =>
        Encoding.UTF8.GetMaxCharCount(utf8.Length) <= chars.Length ? chars[..Encoding.UTF8.GetChars(utf8, chars)] : [];

    protected async Task SendJsonAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        _sendBuffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_sendBuffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await _socket!.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket)
    {
        var buffer = new byte[InitialReceiveBuffer];
        try
        {
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

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), _stopping);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Events.OnClosed(socket.CloseStatus?.ToString(), socket.CloseStatusDescription);
                        return;
                    }

                    count += result.Count;
                }
                while (!result.EndOfMessage);

                var arrivedAt = Stopwatch.GetTimestamp();
                OnFrame(buffer.AsSpan(0, count), arrivedAt);
                if (buffer.Length > 64 * 1024)
                {
                    buffer = new byte[InitialReceiveBuffer];
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // An aborted connect attempt ends here too; only the current socket reports.
            if (!_stopping.IsCancellationRequested && ReferenceEquals(socket, _socket))
            {
                Events.OnFailed(ex);
            }
        }
    }

    public async Task CloseAsync(TimeSpan timeout)
    {
        if (_socket is not { } socket)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(timeout);
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", cts.Token);
            }

            await _receiving.WaitAsync(cts.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
        {
            socket.Abort();
        }
        finally
        {
            socket.Dispose();
        }
    }
}
