using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// One chat connection of the load generator: a <see cref="ClientWebSocket"/>, one receive loop that checks and times
/// every frame as it arrives, and (when it is a typist) a send loop. All clients share one process and one
/// <see cref="Stopwatch"/> clock, so a chunk's latency is its arrival timestamp minus its send timestamp.
/// </summary>
public sealed class BenchClient
{
    private const int InitialReceiveBuffer = 2048;
    private static readonly string Lorem =
        "the quick brown fox jumps over the lazy dog while orleans streams carry every keystroke to the room; " +
        "live typing should feel instant on every websocket, whichever webfront it landed on, under load too. ";

    private readonly LoadRun _run;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<string> _welcomed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(512);
    private ClientWebSocket? _socket;
    private Task _receiving = Task.CompletedTask;
    private SenderTrack?[] _tracks = [];
    private StepCounters?[] _steps = [];
    private long _lastRoomSeq;
    private int _draftLength;
    private int _typingStep = -1;

    public BenchClient(LoadRun run, int index, int room, int slot, Endpoint endpoint)
    {
        _run = run;
        Index = index;
        Room = room;
        Slot = slot;
        Endpoint = endpoint;
    }

    /// <summary>Global index (room * clientsPerRoom + slot).</summary>
    public int Index { get; }

    public int Room { get; }

    /// <summary>Index within the room; typists are the first slots.</summary>
    public int Slot { get; }

    public Endpoint Endpoint { get; }

    /// <summary>The server's id for this connection (from its welcome).</summary>
    public string? ConnectionId { get; private set; }

    public SendLog Chunks { get; } = new();

    public SendLog CommitsSent { get; } = new();

    /// <summary>Commits of this client whose own commit event came back (the server's confirmation).</summary>
    private BitSet CommitsConfirmed { get; } = new();

    public long Resyncs;

    public long RoomSeqGaps;

    public bool IsOpen => _socket?.State == WebSocketState.Open;

    /// <summary>Opens the socket, joins the room and waits for the welcome.</summary>
    public async Task ConnectAsync(HttpMessageInvoker invoker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new ClientWebSocket();
        // The server pings every 20 s; the client need not ping too.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(Endpoint.Uri, invoker, deadline.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _tracks = new SenderTrack?[_run.Options.ClientsPerRoom];
        _steps = new StepCounters?[Math.Max(1, _run.Options.Steps.Count)];
        _receiving = Task.Run(() => ReceiveLoopAsync(socket, _run.Stopping), CancellationToken.None);

        var name = "c" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendJsonAsync(writer =>
        {
            writer.WriteString("type"u8, "join"u8);
            writer.WriteString("room"u8, _run.RoomName(Room));
            writer.WriteString("name"u8, name);
        }, deadline.Token);
        ConnectionId = await _welcomed.Task.WaitAsync(deadline.Token);
    }

    // ---------------------------------------------------------------- sending

    /// <summary>Sends chunks (and commits) at <paramref name="rate"/> per second until <paramref name="stopAt"/>.</summary>
    public async Task TypeAsync(int step, double rate, LoadWindow window, long stopAt, Random random, CancellationToken cancellationToken)
    {
        var options = _run.Options;
        var interval = Stopwatch.Frequency / rate;
        var commitEvery = options.CommitInterval > TimeSpan.Zero ? options.CommitInterval.TotalSeconds * Stopwatch.Frequency : double.PositiveInfinity;
        var now = Stopwatch.GetTimestamp();
        // A random phase, so typists (and their sends) do not line up with each other or with the server's poll timer.
        double next = now + (interval * random.NextDouble());
        var nextCommit = now + (commitEvery * (0.5 + random.NextDouble()));
        Volatile.Write(ref _typingStep, step);
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = (long)next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }

            now = Stopwatch.GetTimestamp();
            if (now >= stopAt || _socket!.State != WebSocketState.Open)
            {
                break;
            }

            if (now >= nextCommit && _draftLength > 0)
            {
                await CommitAsync(step, window, cancellationToken);
                nextCommit = now + (commitEvery * (0.8 + (0.4 * random.NextDouble())));
            }
            else
            {
                await ChunkAsync(step, window, random, cancellationToken);
            }

            next += interval * (0.7 + (0.6 * random.NextDouble()));
            if (next < Stopwatch.GetTimestamp() - Stopwatch.Frequency)
            {
                // Fell more than a second behind (the machine is saturated): do not burst to catch up.
                next = Stopwatch.GetTimestamp();
            }
        }
    }

    private Task ChunkAsync(int step, LoadWindow window, Random random, CancellationToken cancellationToken)
    {
        _draftLength += 1 + random.Next(8);
        if (_draftLength > Math.Min(_run.Options.MaxDraftChars, Lorem.Length))
        {
            _draftLength = 1 + random.Next(8);
        }

        var text = Lorem.AsMemory(0, _draftLength);
        var sentAt = Stopwatch.GetTimestamp();
        var seq = Chunks.Add(sentAt, step, window.Contains(sentAt));
        return SendJsonAsync(writer =>
        {
            writer.WriteString("type"u8, "chunk"u8);
            writer.WriteString("text"u8, text.Span);
            writer.WriteNumber("seq"u8, seq);
        }, cancellationToken);
    }

    private Task CommitAsync(int step, LoadWindow window, CancellationToken cancellationToken)
    {
        var text = Lorem.AsMemory(0, _draftLength);
        _draftLength = 0;
        var sentAt = Stopwatch.GetTimestamp();
        var number = CommitsSent.Add(sentAt, step, window.Contains(sentAt));
        var id = CommitId(Index, number);
        return SendJsonAsync(writer =>
        {
            writer.WriteString("type"u8, "commit"u8);
            writer.WriteString("text"u8, text.Span);
            writer.WriteString("id"u8, id);
        }, cancellationToken);
    }

    /// <summary>Commit ids encode the sender and its commit number: <c>c{index}n{number}</c>.</summary>
    private static string CommitId(int index, int number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"c{index}n{number}");

    private async Task SendJsonAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
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

    // ---------------------------------------------------------------- receiving

    private async Task ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancellationToken)
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

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _run.SocketClosed(this, socket.CloseStatus, socket.CloseStatusDescription);
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
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _run.SocketFailed(this, ex);
            }
        }
    }

    private void OnFrame(ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        if (!ServerFrame.TryParse(utf8, out var frame))
        {
            _run.CountError("unparseable_frame");
            return;
        }

        switch (frame.Kind)
        {
            case FrameKind.Chunk:
                OnChunk(ref frame, arrivedAt);
                break;
            case FrameKind.Commit:
                OnCommit(ref frame, arrivedAt);
                break;
            case FrameKind.Welcome:
                OnWelcome(ref frame);
                break;
            case FrameKind.Error:
                _run.CountError(Encoding.UTF8.GetString(frame.Id));
                break;
            case FrameKind.GoingAway:
                _run.CountError("going_away");
                break;
            default:
                CheckRoomSeq(frame.Seq);
                break;
        }
    }

    private void OnWelcome(ref ServerFrame frame)
    {
        lock (_gate)
        {
            _lastRoomSeq = frame.Seq;
        }

        if (!_welcomed.TrySetResult(Encoding.UTF8.GetString(frame.ConnectionId)))
        {
            // A welcome after the first one: the server resynchronised this socket (it fell behind, or asked to).
            Interlocked.Increment(ref Resyncs);
            _run.CountError("resync_welcome");
        }
    }

    private void CheckRoomSeq(long seq)
    {
        lock (_gate)
        {
            if (_lastRoomSeq != 0 && seq != _lastRoomSeq + 1)
            {
                RoomSeqGaps++;
            }

            _lastRoomSeq = seq;
        }
    }

    private void OnChunk(ref ServerFrame frame, long arrivedAt)
    {
        CheckRoomSeq(frame.Seq);
        var sender = _run.Sender(frame.ConnectionId);
        if (sender is null || sender.Room != Room)
        {
            _run.CountError("chunk_from_unknown_sender");
            return;
        }

        if (sender == this || !sender.Chunks.TryGet(frame.SenderSeq, out var sent))
        {
            if (sender != this)
            {
                _run.CountError("chunk_never_sent");
            }

            return;
        }

        lock (_gate)
        {
            var track = _tracks[sender.Slot] ??= new SenderTrack();
            var counters = Counters(sent.Step);
            if (!track.Seen.Add(frame.SenderSeq))
            {
                counters.Duplicates++;
                return;
            }

            if (frame.SenderSeq < track.MaxSeq)
            {
                counters.OutOfOrder++;
            }
            else
            {
                track.MaxSeq = frame.SenderSeq;
            }

            counters.Delivered++;
            if (sent.InWindow)
            {
                counters.WindowDelivered++;
                var micros = (int)Math.Min(int.MaxValue, (arrivedAt - sent.Timestamp) * 1_000_000 / Stopwatch.Frequency);
                counters.LatencyUs.Add(micros);
                if (sender.Endpoint != Endpoint)
                {
                    counters.CrossLatencyUs.Add(micros);
                }
            }
        }
    }

    private void OnCommit(ref ServerFrame frame, long arrivedAt)
    {
        CheckRoomSeq(frame.Seq);
        if (!TryParseCommitId(frame.Id, out var senderIndex, out var number) || _run.Client(senderIndex) is not { } sender || sender.Room != Room)
        {
            _run.CountError("commit_from_unknown_sender");
            return;
        }

        if (!sender.CommitsSent.TryGet(number, out var sent))
        {
            _run.CountError("commit_never_sent");
            return;
        }

        lock (_gate)
        {
            if (sender == this)
            {
                CommitsConfirmed.Add(number);
                return;
            }

            var track = _tracks[sender.Slot] ??= new SenderTrack();
            var counters = Counters(sent.Step);
            if (!track.Commits.Add(number))
            {
                counters.CommitDuplicates++;
                return;
            }

            counters.CommitsDelivered++;
            if (sent.InWindow)
            {
                counters.CommitLatencyUs.Add((int)Math.Min(int.MaxValue, (arrivedAt - sent.Timestamp) * 1_000_000 / Stopwatch.Frequency));
            }
        }
    }

    private StepCounters Counters(int step) => _steps[step] ??= new StepCounters();

    /// <summary>Runs <paramref name="action"/> on a step's counters under the receiver's lock.</summary>
    public void Read(int step, Action<StepCounters> action)
    {
        lock (_gate)
        {
            if (_steps[step] is { } counters)
            {
                action(counters);
            }
        }
    }

    public bool IsCommitConfirmed(int number)
    {
        lock (_gate)
        {
            return CommitsConfirmed.Contains(number);
        }
    }

    private static bool TryParseCommitId(ReadOnlySpan<byte> id, out int index, out int number)
    {
        index = 0;
        number = 0;
        var n = id.IndexOf((byte)'n');
        return id.Length > 2 && id[0] == (byte)'c' && n > 1
            && System.Buffers.Text.Utf8Parser.TryParse(id[1..n], out index, out int used) && used == n - 1
            && System.Buffers.Text.Utf8Parser.TryParse(id[(n + 1)..], out number, out used) && used == id.Length - n - 1;
    }

    /// <summary>Closes the socket politely (the server then leaves the room and unsubscribes).</summary>
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
