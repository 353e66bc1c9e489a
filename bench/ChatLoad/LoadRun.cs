using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;

namespace OrleansChat.Bench;

/// <summary>The measured part of a step, in <see cref="Stopwatch"/> ticks.</summary>
public readonly record struct LoadWindow(long Start, long End)
{
    public bool Contains(long timestamp) => timestamp >= Start && timestamp < End;
}

/// <summary>
/// The load generator's engine: connects and joins every client (in batches), runs each <see cref="LoadStep"/>
/// (typists send, every member checks and times what arrives), samples the processes under test, and builds a
/// <see cref="LoadReport"/>. Usable in-process (the CI smoke test) or from the command line (<see cref="Program"/>).
/// </summary>
public sealed partial class LoadRun : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private const int ConnectAttempts = 3;

    private readonly CancellationTokenSource _stopping = new();
    private readonly BenchClient[] _clients;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, long>[] _stepErrors;
    private readonly ConcurrentDictionary<string, long> _setupErrors = new();
    private readonly StepHistograms[] _histograms;
    private readonly ConcurrentDictionary<string, BenchClient> _senders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BenchClient>.AlternateLookup<ReadOnlySpan<char>> _bySenderId;
    private int _currentStep = -1;
    private int _phase;
    private bool _closing;

    public LoadRun(LoadOptions options, Action<string>? log = null)
    {
        if (options.Endpoints.Count == 0 || options.Rooms < 1 || options.ClientsPerRoom < 1)
        {
            throw new ArgumentException("Need at least one endpoint, one room and one client per room.", nameof(options));
        }

        if (options.Steps.Any(s => s.TypistsPerRoom > options.ClientsPerRoom || s.ChunksPerSecond <= 0 || s.TypistsPerRoom < 0))
        {
            throw new ArgumentException("Every step needs 0..clientsPerRoom typists and a positive chunk rate.", nameof(options));
        }

        Options = options;
        _log = log ?? (_ => { });
        _clients = new BenchClient[options.TotalClients];
        for (var room = 0; room < options.Rooms; room++)
        {
            for (var slot = 0; slot < options.ClientsPerRoom; slot++)
            {
                var index = (room * options.ClientsPerRoom) + slot;
                // Neighbours in a room alternate between WebFronts, and so does each room's first typist.
                var endpoint = options.Endpoints[(room + slot) % options.Endpoints.Count];
                _clients[index] = new BenchClient(this, index, room, slot, endpoint);
            }
        }

        _stepErrors = [.. Enumerable.Range(0, options.TagCount).Select(_ => new ConcurrentDictionary<string, long>())];
        _histograms = [.. Enumerable.Range(0, options.TagCount).Select(_ => new StepHistograms())];
        _bySenderId = _senders.GetAlternateLookup<ReadOnlySpan<char>>();
        StallTicks = (long)(options.StallThreshold.TotalSeconds * Stopwatch.Frequency);
        if (options.Faults.Count > 0 && (options.Steps.Count != 1 || options.RunFaultCommand is null))
        {
            throw new ArgumentException("Faults need exactly one load step and a way to run their commands.", nameof(options));
        }

        if (options.TimelinePath is not null || options.Faults.Count > 0 || options.ResourceInterval > TimeSpan.Zero)
        {
            Timeline = new TimelineRecorder();
        }
    }

    /// <summary>The run second by second (S6, S7; null when nobody asked for it).</summary>
    internal TimelineRecorder? Timeline { get; }

    /// <summary><see cref="LoadOptions.StallThreshold"/> in <see cref="Stopwatch"/> ticks.</summary>
    internal long StallTicks { get; }

    /// <summary>What a send in <paramref name="step"/> is attributed to: the step, or in a fault run the current phase.</summary>
    internal int Tag(int step) => Options.Faults.Count > 0 ? Volatile.Read(ref _phase) : step;

    internal StepHistograms Histograms(int tag) => _histograms[tag];

    /// <summary>A welcome named a client's connection (again, after a reconnect): chunks from it are that client's.</summary>
    internal void RegisterSender(string senderId, BenchClient client) => _senders[senderId] = client;

    public LoadOptions Options { get; }

    internal CancellationToken Stopping => _stopping.Token;

    public string RoomName(int room) => Options.RoomPrefix + "-" + room.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every client of the run, by global index (room * clientsPerRoom + slot).</summary>
    public IReadOnlyList<BenchClient> Clients => _clients;

    internal BenchClient? Client(int index) => (uint)index < (uint)_clients.Length ? _clients[index] : null;

    internal BenchClient? Sender(ReadOnlySpan<char> senderId) =>
        _bySenderId.TryGetValue(senderId, out var client) ? client : null;

    internal void CountError(string code)
    {
        var step = Volatile.Read(ref _currentStep);
        var errors = step >= 0 ? _stepErrors[Tag(step)] : _setupErrors;
        errors.AddOrUpdate(code, 1, (_, n) => n + 1);
        Timeline?.Error();
    }

    internal void SocketClosed(BenchClient client, string? status, string? description)
    {
        if (!Volatile.Read(ref _closing))
        {
            CountError("closed_by_server_" + (status ?? "unknown"));
            _log($"client {client.Index} closed by the server: {status} {description}");
        }
    }

    internal void SocketFailed(BenchClient client, Exception ex)
    {
        if (!Volatile.Read(ref _closing))
        {
            CountError("socket_failed");
            _log($"client {client.Index} failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Connects, runs every step (stopping early when one breaks the limits), and reports.</summary>
    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var options = Options;
        var startedAt = DateTimeOffset.UtcNow;
        var loadStart = ProcessProbe.LoadAverage();
        var baseline = SampleAll();

        IReadOnlyList<ProcessCpu> idleBefore = [];
        if (options.Processes.Count > 0 && options.IdleSample > TimeSpan.Zero)
        {
            _log($"idle CPU with no connections for {options.IdleSample.TotalSeconds:0} s");
            idleBefore = await MeasureIdleAsync(options.IdleSample, cancellationToken);
        }

        var idleRun = options.Steps.Count == 0 || options.Steps.All(s => s.TypistsPerRoom == 0);
        ProcessSample[]? memoryHalf = null;
        ConnectResult connect;
        if (idleRun)
        {
            // Connect in two halves and sample memory after each: the second half's growth is the marginal cost of an
            // idle connection, without one-time costs (code compiled for the first joins, libraries loaded, caches).
            var half = options.Rooms / 2 * options.ClientsPerRoom;
            var first = await ConnectAsync(0, half, cancellationToken);
            _log($"holding {first.Connected} idle connections for {options.Hold.TotalSeconds / 2:0} s");
            await Task.Delay(options.Hold / 2, cancellationToken);
            memoryHalf = SampleAll();
            var second = await ConnectAsync(half, _clients.Length, cancellationToken);
            connect = second with
            {
                Requested = first.Requested + second.Requested,
                Connected = first.Connected + second.Connected,
                Failed = first.Failed + second.Failed,
                Retries = first.Retries + second.Retries,
                Seconds = Math.Round(first.Seconds + second.Seconds, 2),
                PerSecond = Math.Round((first.Connected + second.Connected) / Math.Max(first.Seconds + second.Seconds, 0.001), 1),
            };
        }
        else
        {
            connect = await ConnectAsync(0, _clients.Length, cancellationToken);
        }

        var memoryConnected = SampleAll();
        IReadOnlyList<FaultResult>? faultResults = null;
        using var sampling = new CancellationTokenSource();
        var resources = options.ResourceInterval > TimeSpan.Zero && Timeline is not null
            ? Task.Run(() => ResourceSampler.RunAsync(this, Timeline, sampling.Token), CancellationToken.None)
            : Task.CompletedTask;
        IReadOnlyList<ProcessCpu> idleConnected = [];
        var steps = new List<StepResult>();
        if (idleRun)
        {
            _log($"holding {connect.Connected} idle connections for {options.Hold.TotalSeconds:0} s");
            idleConnected = await MeasureIdleAsync(options.Hold, cancellationToken);
            memoryConnected = SampleAll();
        }
        else if (options.Faults.Count > 0)
        {
            var (phases, faults) = await RunFaultsAsync(cancellationToken);
            steps.AddRange(phases);
            faultResults = faults;
        }
        else
        {
            for (var step = 0; step < options.Steps.Count; step++)
            {
                var result = await RunStepAsync(step, cancellationToken);
                steps.Add(result);
                _log(Describe(result));
                if (!result.Clean || result.Latency.P99 > options.StopP99Ms)
                {
                    break;
                }
            }
        }

        await sampling.CancelAsync();
        await resources;
        var end = SampleAll();
        var halfClients = options.Rooms / 2 * options.ClientsPerRoom;
        var memory = options.Processes.Select((p, i) =>
        {
            bool Serves(BenchClient c) => string.Equals(c.Endpoint.Name, p.Name, StringComparison.Ordinal);
            var served = _clients.Count(Serves);
            var connections = served > 0 ? served : connect.Connected;
            var secondHalf = served > 0 ? _clients.Skip(halfClients).Count(Serves) : _clients.Length - halfClients;
            var delta = memoryConnected[i].RssKb - baseline[i].RssKb;
            double? marginal = memoryHalf is null || secondHalf == 0 ? null : Math.Round((double)(memoryConnected[i].RssKb - memoryHalf[i].RssKb) / secondHalf, 2);
            return new ProcessMemory(p.Name, p.Pid, baseline[i].RssKb, memoryHalf?[i].RssKb, memoryConnected[i].RssKb, end[i].RssKb, end[i].PeakRssKb,
                connections, connections > 0 ? Math.Round((double)delta / connections, 2) : 0, marginal);
        }).ToList();

        return new LoadReport(
            options.Scenario,
            options.Mode,
            startedAt,
            Environment.MachineName,
            Environment.ProcessorCount,
            Shape(options),
            [.. options.Endpoints.Select(e => $"{e.Name}={e.Uri}")],
            options.Rooms,
            options.ClientsPerRoom,
            options.CommitInterval.TotalSeconds,
            options.Warmup.TotalSeconds,
            options.Duration.TotalSeconds,
            connect,
            idleBefore,
            idleConnected,
            steps,
            memory,
            new Dictionary<string, long>(_setupErrors),
            loadStart,
            ProcessProbe.LoadAverage(),
            options.Note,
            options.Protocol.ToString(),
            Reliability: Timeline is null ? null : await ReliabilityAsync(faultResults, steps),
            Round: options.Round);
    }

    public static string Shape(LoadOptions o) =>
        $"{o.Rooms} room(s) x {o.ClientsPerRoom} clients, steps {string.Join(", ", o.Steps)}";

    public static string Describe(StepResult r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"step {r.Label}: p50 {r.Latency.P50} p99 {r.Latency.P99} max {r.Latency.Max} ms, {r.DeliveriesPerSecond:0}/s, " +
            $"sent {r.ChunksSent} expected {r.ExpectedDeliveries} delivered {r.Delivered} lost {r.Lost} ({r.LateAtDrainEnd} late) dup {r.Duplicated} ooo {r.OutOfOrder}, " +
            $"commits lost {r.LostCommits}, server CPU {r.ServerCpuSeconds:0.00} s ({r.CpuPerDeliveryUs:0} us/delivery), harness {r.HarnessCpuPercentOfCore:0}% of a core, " +
            $"other processes {r.OtherCpuPercentOfCore:0}% of a core, " +
            $"load {r.LoadAverageStart:0.0}->{r.LoadAverageEnd:0.0}{(r.Errors.Count > 0 ? ", errors " + string.Join(' ', r.Errors.Select(e => $"{e.Key}={e.Value}")) : "")}");

    // ---------------------------------------------------------------- connecting

    private async Task<ConnectResult> ConnectAsync(int from, int to, CancellationToken cancellationToken)
    {
        var options = Options;
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var slots = new SemaphoreSlim(options.ConnectConcurrency);
        var failed = 0;
        var retries = 0;
        var started = Stopwatch.GetTimestamp();
        var tasks = new List<Task>(to - from);
        for (var i = from; i < to; i++)
        {
            if (options.ConnectRate > 0)
            {
                var due = started + (long)((i - from) / options.ConnectRate * Stopwatch.Frequency);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
                }
            }

            await slots.WaitAsync(cancellationToken);
            var client = _clients[i];
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            await client.ConnectAsync(invoker, ConnectTimeout, cancellationToken);
                            return;
                        }
                        catch (Exception ex) when (attempt < ConnectAttempts && !cancellationToken.IsCancellationRequested)
                        {
                            Interlocked.Increment(ref retries);
                            CountError("connect_retry_" + ex.GetType().Name);
                            await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
                        }
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                    CountError("connect_failed_" + ex.GetType().Name);
                    _log($"client {client.Index} could not connect: {ex.GetType().Name}: {ex.Message}");
                }
                finally
                {
                    slots.Release();
                }
            }, cancellationToken));

            if ((i + 1) % 1000 == 0)
            {
                _log($"connecting: {i + 1}/{to} started");
            }
        }

        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var client in _clients.Where(c => c.SenderId is not null))
        {
            _senders[client.SenderId!] = client;
        }

        var connected = _clients.Skip(from).Take(to - from).Count(c => c.SenderId is not null);
        _log($"connected {connected}/{to - from} in {seconds:0.0} s ({failed} failed, {retries} retries)");
        return new ConnectResult(to - from, connected, failed, retries, Math.Round(seconds, 2), Math.Round(connected / Math.Max(seconds, 0.001), 1));
    }

    // ---------------------------------------------------------------- steps

    private async Task<StepResult> RunStepAsync(int step, CancellationToken cancellationToken)
    {
        var options = Options;
        var load = options.Steps[step];
        Volatile.Write(ref _currentStep, step);
        var warmup = step == 0 ? options.FirstWarmup ?? options.Warmup : options.Warmup;
        var begin = Stopwatch.GetTimestamp();
        var window = new LoadWindow(
            begin + (long)(warmup.TotalSeconds * Stopwatch.Frequency),
            begin + (long)((warmup + options.Duration).TotalSeconds * Stopwatch.Frequency));
        _log($"step {step + 1}/{options.Steps.Count} {load}: warm-up {warmup.TotalSeconds:0} s, measure {options.Duration.TotalSeconds:0} s");

        using var typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typists = _clients
            .Where(c => c.Slot < load.TypistsPerRoom && c.SenderId is not null)
            .Select(c => Task.Run(
                () => c.TypeAsync(step, load.ChunksPerSecond, window, window.End, new Random(HashCode.Combine(options.Seed, step, c.Index)), typing.Token),
                CancellationToken.None))
            .ToList();

        await DelayUntil(window.Start, cancellationToken);
        if (Timeline is not null)
        {
            _measureStartSeconds = Timeline.SecondsAt(window.Start);
        }

        var loadStart = ProcessProbe.LoadAverage();
        var cpuStart = SampleAll();
        var selfStart = ProcessProbe.Self();
        var machineStart = ProcessProbe.MachineBusySeconds();
        await DelayUntil(window.End, cancellationToken);
        if (Timeline is not null)
        {
            _loadEndSeconds = Timeline.SecondsAt(window.End) + 2;
        }

        var cpuEnd = SampleAll();
        var selfEnd = ProcessProbe.Self();
        var machineBusy = ProcessProbe.MachineBusySeconds() - machineStart;
        var loadEnd = ProcessProbe.LoadAverage();

        try
        {
            await Task.WhenAll(typists).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or WebSocketException or InvalidOperationException)
        {
            CountError("typist_" + ex.GetType().Name);
            await typing.CancelAsync();
        }

        // Late frames may still arrive: wait until everything sent in this step arrived everywhere, or the drain time.
        var drainEnd = Stopwatch.GetTimestamp() + (long)(options.Drain.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < drainEnd && !AllArrived(step))
        {
            await Task.Delay(50, cancellationToken);
        }

        return Evaluate(step, load.ToString(), load, options.Duration.TotalSeconds, cpuStart, cpuEnd, selfEnd.CpuSeconds - selfStart.CpuSeconds, machineBusy, loadStart, loadEnd);
    }

    /// <summary>Every commit sent in <paramref name="step"/> reached every other member of its room.</summary>
    private bool AllCommitsArrived(int step)
    {
        var members = Options.ClientsPerRoom - 1;
        long expected = 0, arrived = 0;
        foreach (var client in _clients)
        {
            expected += (long)members * client.CommitsSent.Entries().Count(e => e.Step == step);
            client.Read(step, c => arrived += c.CommitsDelivered);
        }

        return arrived >= expected;
    }

    private bool AllArrived(int step)
    {
        var members = Options.ClientsPerRoom - 1;
        long expected = 0, arrived = 0;
        foreach (var client in _clients)
        {
            expected += (long)members * (client.Chunks.Entries().Count(e => e.Step == step) + client.CommitsSent.Entries().Count(e => e.Step == step));
            client.Read(step, c => arrived += c.Delivered + c.CommitsDelivered);
        }

        return arrived >= expected;
    }

    private StepResult Evaluate(int step, string label, LoadStep load, double seconds, ProcessSample[] cpuStart, ProcessSample[] cpuEnd, double harnessCpu, double machineBusy, double loadStart, double loadEnd)
    {
        var options = Options;
        var members = options.ClientsPerRoom - 1;
        long sent = 0, expected = 0, commitsSent = 0, commitsExpected = 0, unconfirmed = 0;
        foreach (var client in _clients)
        {
            var chunks = client.Chunks.Entries().Count(e => e.Step == step);
            sent += chunks;
            expected += (long)chunks * members;
            var number = 0;
            foreach (var commit in client.CommitsSent.Entries())
            {
                number++;
                if (commit.Step == step)
                {
                    commitsSent++;
                    commitsExpected += members;
                    if (client.ConfirmsCommits && !client.IsCommitConfirmed(number))
                    {
                        unconfirmed++;
                    }
                }
            }
        }

        long delivered = 0, duplicates = 0, outOfOrder = 0, windowDelivered = 0, commitsDelivered = 0, commitDuplicates = 0, resyncs = 0, gaps = 0;
        foreach (var client in _clients)
        {
            client.Read(step, c =>
            {
                delivered += c.Delivered;
                duplicates += c.Duplicates;
                outOfOrder += c.OutOfOrder;
                windowDelivered += c.WindowDelivered;
                commitsDelivered += c.CommitsDelivered;
                commitDuplicates += c.CommitDuplicates;
            });
            resyncs += Interlocked.Exchange(ref client.Resyncs, 0);
            gaps += Interlocked.Exchange(ref client.RoomSeqGaps, 0);
        }

        var lost = Math.Max(0, expected - delivered);
        var late = lost == 0 ? 0 : _clients.Sum(c => c.MissingButNewest(step));

        var cpu = options.Processes.Select((p, i) =>
        {
            // A process restarted in the window (S6) counts its new life's CPU only.
            var used = cpuEnd[i].Pid == cpuStart[i].Pid ? cpuEnd[i].CpuSeconds - cpuStart[i].CpuSeconds : cpuEnd[i].CpuSeconds;
            return new ProcessCpu(p.Name, Math.Round(used, 3), Math.Round(used / seconds * 100, 1));
        }).ToList();
        var serverCpu = cpu.Sum(c => c.Seconds);
        var histograms = _histograms[step];
        return new StepResult(
            label,
            load.TypistsPerRoom,
            load.ChunksPerSecond,
            seconds,
            sent,
            expected,
            delivered,
            lost,
            Math.Min(late, lost),
            duplicates,
            outOfOrder,
            windowDelivered,
            Math.Round(windowDelivered / seconds, 1),
            histograms.Latency.Percentiles(),
            histograms.CrossWebFront.Percentiles(),
            commitsSent,
            commitsExpected,
            commitsDelivered,
            Math.Max(0, commitsExpected - commitsDelivered),
            commitDuplicates,
            unconfirmed,
            histograms.Commit.Percentiles(),
            new SortedDictionary<string, long>(_stepErrors[step], StringComparer.Ordinal),
            resyncs,
            gaps,
            cpu,
            Math.Round(serverCpu, 3),
            Math.Round(serverCpu / seconds / Environment.ProcessorCount * 100, 1),
            windowDelivered > 0 ? Math.Round(serverCpu * 1_000_000 / windowDelivered, 1) : 0,
            Math.Round(harnessCpu, 3),
            Math.Round(harnessCpu / seconds * 100, 1),
            Math.Round(Math.Max(0, machineBusy - serverCpu - harnessCpu) / seconds * 100, 1),
            loadStart,
            loadEnd);
    }

    private async Task<IReadOnlyList<ProcessCpu>> MeasureIdleAsync(TimeSpan span, CancellationToken cancellationToken)
    {
        var start = SampleAll();
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(span, cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var end = SampleAll();
        return [.. Options.Processes.Select((p, i) =>
        {
            var used = end[i].CpuSeconds - start[i].CpuSeconds;
            return new ProcessCpu(p.Name, Math.Round(used, 3), Math.Round(used / seconds * 100, 1));
        })];
    }

    private ProcessSample[] SampleAll() => [.. CurrentProcesses().Select(p => ProcessProbe.Sample(p.Pid))];

    /// <summary>
    /// The processes under test, in <see cref="LoadOptions.Processes"/> order, with their current pids: a process of the
    /// cluster that was restarted (S6) is measured under its new pid.
    /// </summary>
    internal IReadOnlyList<ServerProcess> CurrentProcesses()
    {
        if (Options.ClusterDirectory is not { } directory || !Directory.Exists(directory))
        {
            return Options.Processes;
        }

        var now = ProcessProbe.FromClusterDirectory(directory).ToDictionary(p => p.Name, StringComparer.Ordinal);
        return [.. Options.Processes.Select(p => now.TryGetValue(p.Name, out var current) ? current : p)];
    }

    private static async Task DelayUntil(long timestamp, CancellationToken cancellationToken)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
        }
    }

    /// <summary>Closes every socket politely, in batches, and stops the receive loops.</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closing, true);
        foreach (var batch in _clients.Chunk(200))
        {
            await Task.WhenAll(batch.Select(c => c.CloseAsync(TimeSpan.FromSeconds(5))));
        }

        await _stopping.CancelAsync();
        _stopping.Dispose();
    }
}
