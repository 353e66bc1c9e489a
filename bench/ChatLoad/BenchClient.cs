using System.Diagnostics;
using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>
/// One chat connection of the load generator: its <see cref="IChatTransport"/> (the protocol of the server under
/// test) and the accounting of what arrives, which is the same for every protocol: each chunk and commit is checked
/// and timed as it arrives, and (when this client is a typist) a send loop types. All clients share one process and
/// one <see cref="Stopwatch"/> clock, so a chunk's latency is its arrival timestamp minus its send timestamp.
/// </summary>
public sealed class BenchClient : IChatEvents
{
    internal const string Lorem =
        "the quick brown fox jumps over the lazy dog while orleans streams carry every keystroke to the room; " +
        "live typing should feel instant on every websocket, whichever webfront it landed on, under load too. ";

    /// <summary>Every draft a typist can send (prefixes of <see cref="Lorem"/>), so typing allocates no strings.</summary>
    private static readonly string[] Drafts = [.. Enumerable.Range(0, Lorem.Length + 1).Select(n => Lorem[..n])];

    private readonly LoadRun _run;
    private readonly IChatTransport _transport;
    private readonly Lock _gate = new();
    private readonly SenderTrack?[] _tracks;
    private readonly StepCounters?[] _steps;
    private long _lastRoomSeq;
    private int _draftLength;

    public BenchClient(LoadRun run, int index, int room, int slot, Endpoint endpoint)
    {
        _run = run;
        Index = index;
        Room = room;
        Slot = slot;
        Endpoint = endpoint;
        _tracks = new SenderTrack?[run.Options.ClientsPerRoom];
        _steps = new StepCounters?[Math.Max(1, run.Options.Steps.Count)];
        _transport = run.Options.Protocol switch
        {
            ChatProtocol.PeerWs => new PeerWsTransport(this, run.Stopping),
            ChatProtocol.SignalR => new SignalRTransport(this),
            _ => new OrleansChatTransport(this, run.Stopping),
        };
    }

    /// <summary>Global index (room * clientsPerRoom + slot).</summary>
    public int Index { get; }

    public int Room { get; }

    /// <summary>Index within the room; typists are the first slots.</summary>
    public int Slot { get; }

    public Endpoint Endpoint { get; }

    /// <summary>The name this client joins with: unique within the run (the peers name a chunk's sender by it).</summary>
    public string Name => "c" + Index.ToString(CultureInfo.InvariantCulture);

    /// <summary>How the others' chunks name this client (OrleansChat: the welcome's connection id; peers: the name).</summary>
    public string? SenderId { get; private set; }

    public SendLog Chunks { get; } = new();

    public SendLog CommitsSent { get; } = new();

    /// <summary>Whether the server confirms a commit by echoing it (otherwise unconfirmed commits are not counted).</summary>
    public bool ConfirmsCommits => _transport.EchoesToSender;

    /// <summary>Commits of this client whose own commit event came back (the server's confirmation).</summary>
    private BitSet CommitsConfirmed { get; } = new();

    public long Resyncs;

    public long RoomSeqGaps;

    public bool IsOpen => _transport.IsOpen;

    /// <summary>Connects, joins the room and waits for the server's answer.</summary>
    public async Task ConnectAsync(HttpMessageInvoker invoker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        SenderId = await _transport.ConnectAsync(Endpoint.Uri, _run.RoomName(Room), Name, invoker, deadline.Token);
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
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = (long)next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }

            now = Stopwatch.GetTimestamp();
            if (now >= stopAt || !_transport.IsOpen)
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

        var sentAt = Stopwatch.GetTimestamp();
        var seq = Chunks.Add(sentAt, step, window.Contains(sentAt));
        return _transport.SendChunkAsync(Drafts[_draftLength], seq, cancellationToken);
    }

    private Task CommitAsync(int step, LoadWindow window, CancellationToken cancellationToken)
    {
        var text = Drafts[_draftLength];
        _draftLength = 0;
        var sentAt = Stopwatch.GetTimestamp();
        var number = CommitsSent.Add(sentAt, step, window.Contains(sentAt));
        return _transport.SendCommitAsync(text, CommitId(Index, number), cancellationToken);
    }

    /// <summary>Commit ids encode the sender and its commit number: <c>c{index}n{number}</c>.</summary>
    private static string CommitId(int index, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"c{index}n{number}");

    // ---------------------------------------------------------------- receiving (IChatEvents)

    public void OnWelcome(long roomSeq, bool resync)
    {
        lock (_gate)
        {
            _lastRoomSeq = roomSeq;
        }

        if (resync)
        {
            // The server resynchronised this socket (it fell behind, or asked to).
            Interlocked.Increment(ref Resyncs);
            _run.CountError("resync_welcome");
        }
    }

    public void OnRoomEvent(long roomSeq) => CheckRoomSeq(roomSeq);

    public void OnError(string code) => _run.CountError(code);

    public void OnClosed(string? status, string? description) => _run.SocketClosed(this, status, description);

    public void OnFailed(Exception exception) => _run.SocketFailed(this, exception);

    /// <summary>Counts a gap in the room sequence; protocols without one report 0, which is not checked.</summary>
    private void CheckRoomSeq(long seq)
    {
        if (seq <= 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_lastRoomSeq != 0 && seq != _lastRoomSeq + 1)
            {
                RoomSeqGaps++;
            }

            _lastRoomSeq = seq;
        }
    }

    public void OnChunk(ReadOnlySpan<char> sender, long senderSeq, long roomSeq, long arrivedAt)
    {
        CheckRoomSeq(roomSeq);
        var from = _run.Sender(sender);
        if (from is null || from.Room != Room)
        {
            _run.CountError("chunk_from_unknown_sender");
            return;
        }

        if (from == this || !from.Chunks.TryGet(senderSeq, out var sent))
        {
            if (from != this)
            {
                _run.CountError("chunk_never_sent");
            }

            return;
        }

        lock (_gate)
        {
            var track = _tracks[from.Slot] ??= new SenderTrack();
            var counters = Counters(sent.Step);
            if (!track.Seen.Add(senderSeq))
            {
                counters.Duplicates++;
                return;
            }

            if (senderSeq < track.MaxSeq)
            {
                counters.OutOfOrder++;
            }
            else
            {
                track.MaxSeq = senderSeq;
            }

            counters.Delivered++;
            if (sent.InWindow)
            {
                counters.WindowDelivered++;
                var micros = Micros(arrivedAt - sent.Timestamp);
                counters.LatencyUs.Add(micros);
                if (from.Endpoint != Endpoint)
                {
                    counters.CrossLatencyUs.Add(micros);
                }
            }
        }
    }

    public void OnCommit(ReadOnlySpan<char> commitId, long roomSeq, long arrivedAt)
    {
        CheckRoomSeq(roomSeq);
        if (!TryParseCommitId(commitId, out var senderIndex, out var number) || _run.Client(senderIndex) is not { } sender || sender.Room != Room)
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
                counters.CommitLatencyUs.Add(Micros(arrivedAt - sent.Timestamp));
            }
        }
    }

    private static int Micros(long ticks) => (int)Math.Min(int.MaxValue, ticks * 1_000_000 / Stopwatch.Frequency);

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

    private static bool TryParseCommitId(ReadOnlySpan<char> id, out int index, out int number)
    {
        index = 0;
        number = 0;
        var n = id.IndexOf('n');
        return id.Length > 2 && id[0] == 'c' && n > 1
            && int.TryParse(id[1..n], NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && int.TryParse(id[(n + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>Closes the connection politely (the server then leaves the room).</summary>
    public Task CloseAsync(TimeSpan timeout) => _transport.CloseAsync(timeout);
}
