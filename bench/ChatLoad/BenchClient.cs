using System.Diagnostics;
using System.Globalization;
using OrleansChat.Client;

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
    private readonly List<Outage> _outages = [];
    private readonly List<(long Start, long End)> _stalls = [];
    private long _lastRoomSeq;
    private int _draftLength;
    private int _typingStep;
    private LoadWindow _typingWindow;
    private long _lastChunkAt;

    public BenchClient(LoadRun run, int index, int room, int slot, Endpoint endpoint)
    {
        _run = run;
        Index = index;
        Room = room;
        Slot = slot;
        Endpoint = endpoint;
        _tracks = new SenderTrack?[run.Options.ClientsPerRoom];
        _steps = new StepCounters?[run.Options.TagCount];
        _transport = run.Options.Protocol switch
        {
            ChatProtocol.PeerWs => new PeerWsTransport(this, run.Stopping),
            ChatProtocol.SignalR => new SignalRTransport(this),
            _ when run.Options.Reconnect => new ReconnectingTransport(this, ResentDraftSeq),
            _ => new OrleansChatTransport(this, run.Stopping),
        };
    }

    /// <summary>A time this client was cut off: its socket went at <see cref="Lost"/>, its next welcome came at <see cref="Welcomed"/>.</summary>
    public sealed record Outage(long Lost, long? Welcomed, string Reason);

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

    /// <summary>Reconnecting transports: the unconfirmed commits it still holds.</summary>
    public int PendingCommits => (_transport as ReconnectingTransport)?.PendingCommits ?? 0;

    /// <summary>Times its socket went away, and when it was welcomed again.</summary>
    public IReadOnlyList<Outage> Outages
    {
        get
        {
            lock (_gate)
            {
                return [.. _outages];
            }
        }
    }

    /// <summary>Pauses longer than <see cref="LoadOptions.StallThreshold"/> between chunks from the others (arrival times).</summary>
    public IReadOnlyList<(long Start, long End)> Stalls
    {
        get
        {
            lock (_gate)
            {
                return [.. _stalls];
            }
        }
    }

    /// <summary>When the last chunk from another member arrived (0: none yet).</summary>
    public long LastChunkAt
    {
        get
        {
            lock (_gate)
            {
                return _lastChunkAt;
            }
        }
    }

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
        _typingStep = step;
        _typingWindow = window;
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

            if (!_transport.IsLive)
            {
                // Between sockets (reconnecting): the user types on, the draft goes after the next welcome.
                _draftLength = Math.Min(_draftLength + 1, Math.Min(_run.Options.MaxDraftChars, Lorem.Length));
                (_transport as ReconnectingTransport)?.Typed(Drafts[_draftLength]);
            }
            else if (now >= nextCommit && _draftLength > 0)
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
        var seq = Chunks.Add(sentAt, _run.Tag(step), window.Contains(sentAt));
        return _transport.SendChunkAsync(Drafts[_draftLength], seq, cancellationToken);
    }

    /// <summary>The sender sequence number of the draft a reconnecting transport sends again after a welcome.</summary>
    private long ResentDraftSeq()
    {
        var sentAt = Stopwatch.GetTimestamp();
        return Chunks.Add(sentAt, _run.Tag(_typingStep), _typingWindow.Contains(sentAt));
    }

    private Task CommitAsync(int step, LoadWindow window, CancellationToken cancellationToken)
    {
        var text = Drafts[_draftLength];
        _draftLength = 0;
        var sentAt = Stopwatch.GetTimestamp();
        var number = CommitsSent.Add(sentAt, _run.Tag(step), window.Contains(sentAt));
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

    public void OnWelcomeHistory(string senderId, IReadOnlyList<HistoryEntry> history, bool reconnected, long arrivedAt)
    {
        SenderId = senderId;
        _run.RegisterSender(senderId, this);
        lock (_gate)
        {
            if (_outages.Count > 0 && _outages[^1].Welcomed is null)
            {
                _outages[^1] = _outages[^1] with { Welcomed = arrivedAt };
            }
        }

        // The welcome is the room's truth: a commit in its history was delivered here, even when its event was missed.
        Span<char> chars = stackalloc char[64];
        foreach (var message in history)
        {
            var id = message.ClientMessageId.AsSpan();
            if (id.Length <= chars.Length)
            {
                Seen(id, message.Seq, arrivedAt, fromHistory: true);
            }
        }
    }

    public void OnCommitted(ReadOnlySpan<char> commitId, long messageSeq) => Seen(commitId, messageSeq, Stopwatch.GetTimestamp(), fromHistory: true);

    public void OnDisconnected(string reason, bool wasLive)
    {
        lock (_gate)
        {
            if (_outages.Count == 0 || _outages[^1].Welcomed is not null)
            {
                _outages.Add(new Outage(Stopwatch.GetTimestamp(), null, reason));
            }
        }

        // e.g. disconnected_closed_1012, reconnect_failed_WebSocketException
        var why = reason.Replace("failed ", "", StringComparison.Ordinal).Replace(' ', '_');
        _run.CountError((wasLive ? "disconnected_" : "reconnect_failed_") + why);
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
            if (_lastChunkAt != 0 && arrivedAt - _lastChunkAt > _run.StallTicks)
            {
                _stalls.Add((_lastChunkAt, arrivedAt));
            }

            _lastChunkAt = Math.Max(_lastChunkAt, arrivedAt);
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
            var micros = Micros(arrivedAt - sent.Timestamp);
            _run.Timeline?.Delivered(micros);
            if (sent.InWindow)
            {
                counters.WindowDelivered++;
                var histograms = _run.Histograms(sent.Step);
                histograms.Latency.Record(micros);
                if (from.Endpoint != Endpoint)
                {
                    histograms.CrossWebFront.Record(micros);
                }
            }
        }
    }

    public void OnCommit(ReadOnlySpan<char> commitId, long roomSeq, long arrivedAt)
    {
        CheckRoomSeq(roomSeq);
        Seen(commitId, roomSeq, arrivedAt, fromHistory: false);
    }

    /// <summary>
    /// A commit arrived (its event, or a welcome's history, or a <c>committed</c> answer): counted once per receiver; the
    /// same id at another room seq is a duplicate (stored twice).
    /// </summary>
    private void Seen(ReadOnlySpan<char> commitId, long seq, long arrivedAt, bool fromHistory)
    {
        if (!TryParseCommitId(commitId, out var senderIndex, out var number) || _run.Client(senderIndex) is not { } sender || sender.Room != Room)
        {
            if (!fromHistory)
            {
                _run.CountError("commit_from_unknown_sender");
            }

            return;
        }

        if (!sender.CommitsSent.TryGet(number, out var sent))
        {
            _run.CountError("commit_never_sent");
            return;
        }

        lock (_gate)
        {
            var track = _tracks[sender.Slot] ??= new SenderTrack();
            var counters = Counters(sent.Step);
            if (!fromHistory && !track.CommitEvents.Add(number))
            {
                // The same commit event twice.
                counters.CommitDuplicates++;
                return;
            }

            if (track.Commits.TryGetValue(number, out var seenAt))
            {
                if (seenAt != seq && seq > 0 && seenAt > 0)
                {
                    counters.CommitDuplicates++;
                }

                return;
            }

            track.Commits[number] = seq;
            if (sender == this)
            {
                CommitsConfirmed.Add(number);
                return;
            }

            counters.CommitsDelivered++;
            if (sent.InWindow && !fromHistory)
            {
                _run.Histograms(sent.Step).Commit.Record(Micros(arrivedAt - sent.Timestamp));
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

    /// <summary>
    /// Of the chunks the other members of this room sent in <paramref name="step"/> that have not arrived here, how many
    /// are newer than the last chunk that did arrive from their sender: still on their way (late), not skipped. A chunk
    /// missing from before a later one of the same sender was skipped (lost in the strict sense).
    /// </summary>
    public long MissingButNewest(int step)
    {
        long late = 0;
        var members = _run.Options.ClientsPerRoom;
        for (var slot = 0; slot < members; slot++)
        {
            if (slot == Slot || _run.Client((Room * members) + slot) is not { } sender || sender.Chunks.Count == 0)
            {
                continue;
            }

            lock (_gate)
            {
                // Nothing newer than MaxSeq has arrived (an arrival above it raises it).
                var newest = _tracks[slot]?.MaxSeq ?? 0;
                var seq = 0L;
                foreach (var sent in sender.Chunks.Entries())
                {
                    seq++;
                    if (sent.Step == step && seq > newest)
                    {
                        late++;
                    }
                }
            }
        }

        return late;
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
