using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// S8, commit cost by history length: does a commit cost the same in a room with 10 messages as in one with 10,000?
/// For each <see cref="CommitCostVariant"/>, one socket joins a fresh room (so variants never share a room), pre-fills
/// it with that many committed messages of that size (back to back, each awaited by its own commit event), then
/// commits <see cref="CommitCostOptions.Commits"/> more one at a time, timing each from just before its send to the
/// sender's own commit event (the server's confirmation: the message is stored). Around the measured commits it reads
/// the cluster's Redis <c>INFO</c> (bytes in, AOF size, memory) and the server processes' CPU, then measures Redis's
/// idle rate of bytes in for a baseline. Only OrleansChat's protocol: the peers store nothing.
/// </summary>
public sealed class CommitCostRun(LoadOptions options, Action<string>? log = null)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinIdleSample = TimeSpan.FromSeconds(3);

    private readonly CommitCostOptions _cost = options.CommitCost ?? throw new ArgumentException("S8 needs --commit-cost", nameof(options));
    private readonly Action<string> _log = log ?? (_ => { });
    private readonly ConcurrentDictionary<string, long> _setupErrors = new();

    public static string Shape(LoadOptions o) =>
        o.CommitCost is not { } c ? LoadRun.Shape(o)
            : string.Create(CultureInfo.InvariantCulture,
                $"commit cost by history length: history x message chars {string.Join(", ", c.Variants)}, {c.Commits} commits each, gap {c.Gap.TotalMilliseconds:0} ms");

    /// <summary>Runs every variant in turn and reports.</summary>
    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken = default)
    {
        if (options.Protocol != ChatProtocol.OrleansChat)
        {
            throw new ArgumentException("S8 (--commit-cost) speaks OrleansChat's protocol only: the peers store no history.");
        }

        var startedAt = DateTimeOffset.UtcNow;
        var loadStart = ProcessProbe.LoadAverage();
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        var connect = new ConnectTally();

        if (_cost.WarmupCommits > 0)
        {
            // Fresh servers compile the commit path on first use: a throw-away room takes that, not the first variant.
            await using var probe = new CommitProbe(_setupErrors);
            if (await connect.RunAsync(() => probe.ConnectAsync(options.Endpoints[0].Uri, RoomName("warmup"), "s8", invoker, ConnectTimeout, cancellationToken), _log))
            {
                var warm = await CommitManyAsync(probe, "warm-up", Text(120), "w", _cost.WarmupCommits, _cost.PrefillBudget, TimeSpan.Zero, null, cancellationToken);
                _log(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warm.Done} commits in {warm.Seconds:0.0} s{(warm.Stopped is null ? "" : ", stopped: " + warm.Stopped)}"));
            }
        }

        var steps = new List<CommitCostStep>();
        foreach (var variant in _cost.Variants)
        {
            var step = await RunVariantAsync(variant, invoker, connect, cancellationToken);
            steps.Add(step);
            _log(Describe(step));
        }

        return new LoadReport(
            options.Scenario,
            options.Mode,
            startedAt,
            Environment.MachineName,
            Environment.ProcessorCount,
            Shape(options),
            [.. options.Endpoints.Select(e => $"{e.Name}={e.Uri}")],
            _cost.Variants.Count,
            1,
            0,
            0,
            Math.Round((DateTimeOffset.UtcNow - startedAt).TotalSeconds, 1),
            connect.Result(),
            [],
            [],
            [],
            [],
            new Dictionary<string, long>(_setupErrors),
            loadStart,
            ProcessProbe.LoadAverage(),
            options.Note,
            options.Protocol.ToString(),
            new CommitCostResult(
                _cost.Commits,
                _cost.WarmupCommits,
                _cost.Gap.TotalMilliseconds,
                _cost.CommitTimeout.TotalSeconds,
                _cost.PrefillBudget.TotalSeconds,
                _cost.MeasureBudget.TotalSeconds,
                _cost.Redis,
                steps),
            Round: options.Round);
    }

    public static string Describe(CommitCostStep s) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{s.Label}: history {s.History} (pre-fill {s.PrefillSeconds:0.0} s{(s.PrefillStopped is null ? "" : ", stopped: " + s.PrefillStopped)}), " +
            $"{s.Commits} commits{(s.FailedCommits > 0 ? $" ({s.FailedCommits} failed)" : "")}{(s.MeasureStopped is null ? "" : ", stopped: " + s.MeasureStopped)}: " +
            $"p50 {s.Latency.P50} p99 {s.Latency.P99} max {s.Latency.Max} ms, redis in {s.RedisInputBytesPerCommit:0} B/commit " +
            $"(raw {s.RedisInputBytesPerCommitRaw:0}, idle {s.IdleInputBytesPerSecond:0} B/s), AOF {s.AofBytesPerCommit:0} B/commit, " +
            $"server CPU {s.ServerCpuMsPerCommit:0.00} ms/commit, load {s.LoadAverageStart:0.0}->{s.LoadAverageEnd:0.0}");

    private string RoomName(string label) => options.RoomPrefix + "-s8-" + label;

    private async Task<CommitCostStep> RunVariantAsync(CommitCostVariant variant, HttpMessageInvoker invoker, ConnectTally connect, CancellationToken cancellationToken)
    {
        var label = variant.ToString();
        var room = RoomName(label);
        var loadStart = ProcessProbe.LoadAverage();
        var errors = new ConcurrentDictionary<string, long>();
        await using var probe = new CommitProbe(errors);
        var text = Text(variant.MessageChars);
        var memoryBefore = RedisInfo.Number(await InfoAsync(cancellationToken), "used_memory");
        if (!await connect.RunAsync(() => probe.ConnectAsync(options.Endpoints[0].Uri, room, "s8", invoker, ConnectTimeout, cancellationToken), _log))
        {
            return new CommitCostStep(label, room, variant.History, variant.MessageChars, 0, 0, "could not connect", 0, 0, null, 0,
                new LatencyHistogram().Percentiles(), null, null, null, 0, null, null, memoryBefore, memoryBefore, [], 0,
                new SortedDictionary<string, long>(errors, StringComparer.Ordinal), loadStart, ProcessProbe.LoadAverage());
        }

        _log($"{label}: pre-filling {room} with {variant.History} messages of {variant.MessageChars} characters");
        var prefill = await CommitManyAsync(probe, label + " pre-fill", text, "p", variant.History, _cost.PrefillBudget, TimeSpan.Zero, null, cancellationToken);
        // Let the last pre-fill commit's deliveries and writes finish before the window opens.
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);

        var latencies = new LatencyHistogram();
        var infoStart = await InfoAsync(cancellationToken);
        var cpuStart = SampleAll();
        var windowStart = Stopwatch.GetTimestamp();
        var measured = await CommitManyAsync(probe, label, text, "m", _cost.Commits, _cost.MeasureBudget, _cost.Gap, latencies, cancellationToken);
        var window = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
        var cpuEnd = SampleAll();
        var infoEnd = await InfoAsync(cancellationToken);

        // Idle baseline: the same counter with the socket joined and nothing sent, for as long as the window (3-10 s).
        var idleSpan = TimeSpan.FromSeconds(Math.Clamp(window, MinIdleSample.TotalSeconds, Math.Max(MinIdleSample.TotalSeconds, _cost.MaxIdleSample.TotalSeconds)));
        var idleInfoStart = await InfoAsync(cancellationToken);
        var idleStart = Stopwatch.GetTimestamp();
        await Task.Delay(idleSpan, cancellationToken);
        var idleInfoEnd = await InfoAsync(cancellationToken);
        var idleSeconds = Stopwatch.GetElapsedTime(idleStart).TotalSeconds;

        var input = Delta(infoStart, infoEnd, "total_net_input_bytes");
        var idleInput = Delta(idleInfoStart, idleInfoEnd, "total_net_input_bytes");
        double? idleRate = idleInput is { } i ? i / idleSeconds : null;
        var aof = RedisInfo.Number(infoEnd, "aof_rewrites") == RedisInfo.Number(infoStart, "aof_rewrites")
            ? Delta(infoStart, infoEnd, "aof_current_size")
            : null;
        var commits = measured.Done;
        var cpu = options.Processes.Select((p, n) =>
        {
            var used = cpuEnd[n].CpuSeconds - cpuStart[n].CpuSeconds;
            return new ProcessCpu(p.Name, Math.Round(used, 3), window > 0 ? Math.Round(used / window * 100, 1) : 0);
        }).ToList();
        double? PerCommit(double? bytes) => bytes is { } b && commits > 0 ? Math.Round(b / commits, 1) : null;

        return new CommitCostStep(
            label,
            room,
            variant.History,
            variant.MessageChars,
            prefill.Done,
            Math.Round(prefill.Seconds, 2),
            prefill.Stopped,
            commits,
            measured.Failed,
            measured.Stopped,
            Math.Round(window, 3),
            latencies.Percentiles(),
            input,
            PerCommit(input),
            idleRate is { } r ? Math.Round(r, 1) : null,
            Math.Round(idleSeconds, 2),
            PerCommit(input - (idleRate * window)),
            PerCommit(aof),
            memoryBefore,
            RedisInfo.Number(infoEnd, "used_memory"),
            cpu,
            commits > 0 ? Math.Round(cpu.Sum(c => c.Seconds) * 1000 / commits, 3) : 0,
            new SortedDictionary<string, long>(errors, StringComparer.Ordinal),
            loadStart,
            ProcessProbe.LoadAverage());
    }

    /// <summary>
    /// Commits up to <paramref name="count"/> messages one at a time, each awaited by its own commit event. Stops at the
    /// first commit that is refused or does not come back within the commit timeout, and when the budget is spent.
    /// </summary>
    private async Task<Phase> CommitManyAsync(
        CommitProbe probe, string what, string text, string idPrefix, int count, TimeSpan budget, TimeSpan gap, LatencyHistogram? latencies, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var nextLog = started + (10 * Stopwatch.Frequency);
        int done = 0, failed = 0;
        string? stopped = null;
        for (var n = 1; n <= count; n++)
        {
            if (Stopwatch.GetElapsedTime(started) >= budget)
            {
                stopped = string.Create(CultureInfo.InvariantCulture, $"budget of {budget.TotalSeconds:0} s spent after {done} of {count}");
                break;
            }

            var outcome = await probe.CommitAsync(text, idPrefix + n.ToString(CultureInfo.InvariantCulture), _cost.CommitTimeout, cancellationToken);
            if (outcome.Failure is not null)
            {
                failed++;
                stopped = string.Create(CultureInfo.InvariantCulture, $"commit {done + 1} of {count}: {outcome.Failure}");
                break;
            }

            done++;
            latencies?.Record(outcome.Ticks * 1_000_000 / Stopwatch.Frequency);
            if (Stopwatch.GetTimestamp() >= nextLog)
            {
                _log(string.Create(CultureInfo.InvariantCulture, $"{what}: {done}/{count} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));
                nextLog += 10 * Stopwatch.Frequency;
            }

            if (gap > TimeSpan.Zero)
            {
                await Task.Delay(gap, cancellationToken);
            }
        }

        return new Phase(done, failed, stopped, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private async Task<IReadOnlyDictionary<string, string>?> InfoAsync(CancellationToken cancellationToken)
    {
        if (_cost.Redis is not { } redis)
        {
            return null;
        }

        try
        {
            return await RedisInfo.ReadAsync(redis, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or FormatException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _setupErrors.AddOrUpdate("redis_info_failed", 1, (_, n) => n + 1);
            _log($"redis INFO from {redis} failed: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }

    private static long? Delta(IReadOnlyDictionary<string, string>? start, IReadOnlyDictionary<string, string>? end, string name) =>
        RedisInfo.Number(end, name) - RedisInfo.Number(start, name);

    private ProcessSample[] SampleAll() => [.. options.Processes.Select(p => ProcessProbe.Sample(p.Pid))];

    /// <summary>A message of exactly <paramref name="chars"/> characters of plain text (the typists' sentence, repeated).</summary>
    private static string Text(int chars)
    {
        var text = new StringBuilder(chars + BenchClient.Lorem.Length);
        while (text.Length < chars)
        {
            text.Append(BenchClient.Lorem);
        }

        text.Length = chars;
        text[^1] = '.';
        return text.ToString();
    }

    private readonly record struct Phase(int Done, int Failed, string? Stopped, double Seconds);

    /// <summary>Counts the variants' connections for the report.</summary>
    private sealed class ConnectTally
    {
        private long _elapsed;
        private int _requested;
        private int _connected;

        public async Task<bool> RunAsync(Func<Task> connect, Action<string> log)
        {
            _requested++;
            var started = Stopwatch.GetTimestamp();
            try
            {
                await connect();
                _connected++;
                return true;
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or HttpRequestException)
            {
                log($"could not connect: {ex.GetType().Name}: {ex.Message}");
                return false;
            }
            finally
            {
                _elapsed += Stopwatch.GetTimestamp() - started;
            }
        }

        public ConnectResult Result()
        {
            var seconds = (double)_elapsed / Stopwatch.Frequency;
            return new ConnectResult(_requested, _connected, _requested - _connected, 0, Math.Round(seconds, 2), Math.Round(_connected / Math.Max(seconds, 0.001), 1));
        }
    }
}

/// <summary>What became of one commit of <see cref="CommitProbe"/>: its round trip in <see cref="Stopwatch"/> ticks, or why it failed.</summary>
public readonly record struct CommitOutcome(long Ticks, string? Failure);

/// <summary>
/// The one socket of an S8 variant: sends a commit and waits for its own commit event (or an error, a close, or the
/// timeout). One commit at a time.
/// </summary>
public sealed class CommitProbe : IChatEvents, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly OrleansChatTransport _transport;
    private readonly ConcurrentDictionary<string, long> _errors;
    private readonly Lock _gate = new();
    private string? _pendingId;
    private TaskCompletionSource<(long ArrivedAt, string? Error)>? _pending;
    private bool _closing;

    public CommitProbe(ConcurrentDictionary<string, long> errors)
    {
        _errors = errors;
        _transport = new OrleansChatTransport(this, _stopping.Token);
    }

    public async Task ConnectAsync(Uri uri, string room, string name, HttpMessageInvoker invoker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await _transport.ConnectAsync(uri, room, name, invoker, deadline.Token);
    }

    public async Task<CommitOutcome> CommitAsync(string text, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource<(long ArrivedAt, string? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pendingId = id;
            _pending = pending;
        }

        try
        {
            if (!_transport.IsOpen)
            {
                return new CommitOutcome(0, "socket closed");
            }

            var sentAt = Stopwatch.GetTimestamp();
            await _transport.SendCommitAsync(text, id, cancellationToken);
            var (arrivedAt, error) = await pending.Task.WaitAsync(timeout, cancellationToken);
            return error is null ? new CommitOutcome(arrivedAt - sentAt, null) : new CommitOutcome(0, error);
        }
        catch (TimeoutException)
        {
            Count("commit_timeout");
            return new CommitOutcome(0, string.Create(CultureInfo.InvariantCulture, $"no commit event within {timeout.TotalSeconds:0} s"));
        }
        catch (System.Net.WebSockets.WebSocketException ex)
        {
            Count("send_failed");
            return new CommitOutcome(0, "send failed: " + ex.Message);
        }
        finally
        {
            lock (_gate)
            {
                _pendingId = null;
                _pending = null;
            }
        }
    }

    public void OnCommit(ReadOnlySpan<char> commitId, long roomSeq, long arrivedAt)
    {
        lock (_gate)
        {
            // A commit that timed out may still come back later: it is no longer awaited.
            if (_pendingId is not null && commitId.SequenceEqual(_pendingId))
            {
                _pending?.TrySetResult((arrivedAt, null));
            }
        }
    }

    public void OnError(string code)
    {
        Count(code);
        Fail("error " + code);
    }

    public void OnWelcome(long roomSeq, bool resync)
    {
        if (resync)
        {
            Count("resync_welcome");
        }
    }

    public void OnChunk(ReadOnlySpan<char> sender, long senderSeq, long roomSeq, long arrivedAt)
    {
    }

    public void OnRoomEvent(long roomSeq)
    {
    }

    public void OnClosed(string? status, string? description)
    {
        if (Volatile.Read(ref _closing))
        {
            return;
        }

        Count("closed_by_server_" + (status ?? "unknown"));
        Fail($"closed by the server: {status} {description}");
    }

    public void OnFailed(Exception exception)
    {
        if (Volatile.Read(ref _closing))
        {
            return;
        }

        Count("socket_failed");
        Fail($"socket failed: {exception.GetType().Name}: {exception.Message}");
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closing, true);
        lock (_gate)
        {
            _pendingId = null;
            _pending = null;
        }

        // Closed politely: the server then leaves the room.
        await _transport.CloseAsync(TimeSpan.FromSeconds(5));
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private void Fail(string error)
    {
        lock (_gate)
        {
            _pending?.TrySetResult((0, error));
        }
    }

    private void Count(string code) => _errors.AddOrUpdate(code, 1, (_, n) => n + 1);
}
