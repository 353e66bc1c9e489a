namespace OrleansChat.Bench;

/// <summary>One WebFront socket endpoint; <see cref="Name"/> ties it to a measured process (e.g. <c>web1</c>).</summary>
public sealed record Endpoint(string Name, Uri Uri);

/// <summary>One load level: how many clients of each room type, and how fast.</summary>
/// <param name="TypistsPerRoom">The first N clients of every room type.</param>
/// <param name="ChunksPerSecond">Chunks each typist sends per second (jittered ±30 %).</param>
public sealed record LoadStep(int TypistsPerRoom, double ChunksPerSecond)
{
    public override string ToString() => $"{TypistsPerRoom}x{ChunksPerSecond:0.##}/s";
}

/// <summary>One S8 variant: a fresh room pre-filled with <see cref="History"/> messages of <see cref="MessageChars"/> characters.</summary>
public sealed record CommitCostVariant(int History, int MessageChars)
{
    public override string ToString() => $"{History}x{MessageChars}";
}

/// <summary>
/// S8, commit cost by history length (<c>--commit-cost</c>): for each variant one socket joins a fresh room, pre-fills
/// it with committed messages (back to back, each awaited by its own commit event), then times
/// <see cref="Commits"/> commits one at a time and reads the Redis traffic they caused.
/// </summary>
public sealed record CommitCostOptions
{
    public IReadOnlyList<CommitCostVariant> Variants { get; init; } = [new(10, 120), new(500, 120), new(10_000, 120), new(10, 4_000), new(500, 4_000), new(10_000, 4_000)];

    /// <summary>Measured commits per variant.</summary>
    public int Commits { get; init; } = 200;

    /// <summary>Commits in a throw-away room before the first variant, so the first one does not pay for JIT compilation.</summary>
    public int WarmupCommits { get; init; } = 300;

    /// <summary>Pause between one measured commit's event and the next commit (0: none).</summary>
    public TimeSpan Gap { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How long one commit may take to come back; a commit that takes longer (or is refused) ends its phase.</summary>
    public TimeSpan CommitTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest pre-fill of one variant; when it runs out, the variant is measured at the history reached.</summary>
    public TimeSpan PrefillBudget { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Longest measured phase of one variant; when it runs out, fewer commits are measured.</summary>
    public TimeSpan MeasureBudget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest idle baseline of one variant (it lasts as long as the measured phase, at least 3 s, at most this).</summary>
    public TimeSpan MaxIdleSample { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Redis the servers write to (<c>host:port</c>), whose <c>INFO</c> is read around each phase; null: not measured.</summary>
    public string? Redis { get; init; }
}

/// <summary>
/// One fault of S6: its name in the report and the <c>scripts/cluster.sh</c> commands that make it (run in order, each
/// to its end: <c>kill silo1</c>, <c>start silo1</c>, ...).
/// </summary>
public sealed record FaultSpec(string Name, IReadOnlyList<string> Commands)
{
    /// <summary>The faults S6 knows by key (<c>--faults silo-kill,web-kill,rolling,redis-restart</c>).</summary>
    public static FaultSpec Named(string key) => key switch
    {
        "silo-kill" => new("kill -9 silo1, restart", ["kill silo1", "start silo1"]),
        "silo2-kill" => new("kill -9 silo2, restart", ["kill silo2", "start silo2"]),
        "web-kill" => new("kill -9 web1, restart", ["kill web1", "start web1"]),
        "rolling" => new("rolling restart (SIGTERM web1, web2, silo1, silo2 one at a time)",
            ["stop web1", "start web1", "stop web2", "start web2", "stop silo1", "start silo1", "stop silo2", "start silo2"]),
        "redis-restart" => new("redis restart", ["stop redis", "start redis"]),
        _ => throw new ArgumentException($"unknown fault '{key}' (silo-kill, silo2-kill, web-kill, rolling, redis-restart)"),
    };
}

/// <summary>Everything a run needs. Defaults are S1's shape (1 room, 10 clients, 2 typists at 10 chunks/s).</summary>
public sealed record LoadOptions
{
    /// <summary>Scenario label for the report (S1, S2, ...).</summary>
    public string Scenario { get; init; } = "custom";

    /// <summary>Mode label for the report (cluster, embedded).</summary>
    public string Mode { get; init; } = "";

    /// <summary>Which round of a repeated run this is (bench/run.sh's ROUNDS); 1 when a run is not repeated.</summary>
    public int Round { get; init; } = 1;

    /// <summary>The protocol the servers speak: OrleansChat's, or one of the reference peers' (/work/shared/peers).</summary>
    public ChatProtocol Protocol { get; init; } = ChatProtocol.OrleansChat;

    /// <summary>WebFront socket URLs (SignalR: hub URLs); clients are spread round-robin so room members sit on different WebFronts.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; init; } = [new("web", new Uri("ws://127.0.0.1:3000/ws"))];

    public int Rooms { get; init; } = 1;

    public int ClientsPerRoom { get; init; } = 10;

    /// <summary>The load levels to run one after the other on the same connections (S5 raises it step by step).</summary>
    public IReadOnlyList<LoadStep> Steps { get; init; } = [new(2, 10)];

    /// <summary>Each typist commits its draft this often (0: never).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Measured time of each step (after its warm-up).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time at the start of each step whose chunks are checked for loss but not counted in latency/throughput.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Warm-up of the first step, when it should differ (fresh servers still compile their hot paths).</summary>
    public TimeSpan? FirstWarmup { get; init; }

    /// <summary>After a step stops sending, how long late deliveries may still arrive before anything missing counts as lost.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Connections opened (and joined) at the same time.</summary>
    public int ConnectConcurrency { get; init; } = 32;

    /// <summary>Connections started per second (0: as fast as <see cref="ConnectConcurrency"/> allows).</summary>
    public double ConnectRate { get; init; }

    /// <summary>With no typists: how long to hold the connections open before sampling memory (S4).</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop stepping when a step's p99 exceeds this (ms) or anything is lost, duplicated or reordered.</summary>
    public double StopP99Ms { get; init; } = 100;

    /// <summary>Room names are this prefix plus a number, so repeated runs never share a room.</summary>
    public string RoomPrefix { get; init; } = "bench-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Server processes whose CPU and memory are measured.</summary>
    public IReadOnlyList<ServerProcess> Processes { get; init; } = [];

    /// <summary>Text length a draft grows to before the typist starts a new one (if it has not committed).</summary>
    public int MaxDraftChars { get; init; } = 120;

    /// <summary>Seed of the jitter (send gaps, phases), so runs are repeatable in shape.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Measure the processes' idle CPU for this long before connecting (0: skip).</summary>
    public TimeSpan IdleSample { get; init; }

    /// <summary>S8: measure commit cost by history length instead of running load steps (null: a load run).</summary>
    public CommitCostOptions? CommitCost { get; init; }

    /// <summary>
    /// Clients behave like the browser when their socket goes away: reconnect with jittered backoff, join again, re-send
    /// the draft and unconfirmed commits (OrleansChat's protocol only; S6 and S7).
    /// </summary>
    public bool Reconnect { get; init; }

    /// <summary>S6: faults injected one after the other during one load step (after its warm-up and a quiet baseline).</summary>
    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];

    /// <summary>Runs one fault command (e.g. <c>kill silo1</c>: scripts/cluster.sh with the cluster's settings).</summary>
    public Func<string, CancellationToken, Task>? RunFaultCommand { get; init; }

    /// <summary>S6: the time after a fault's commands ended before the next fault (its recovery is measured in it).</summary>
    public TimeSpan FaultSettle { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A client that got no chunk for this long while its room's typist typed was cut off (S6 recovery).</summary>
    public TimeSpan StallThreshold { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sample every server process's RSS, managed heap, threads and sockets (and Redis memory) this often (0: never).</summary>
    public TimeSpan ResourceInterval { get; init; }

    /// <summary>The servers' Redis (<c>host:port</c>) whose <c>used_memory</c> the resource samples read.</summary>
    public string? Redis { get; init; }

    /// <summary>scripts/cluster.sh's state folder: pids are read again at every sample (a restarted process has a new one).</summary>
    public string? ClusterDirectory { get; init; }

    /// <summary>Where to write the run's timeline (per second; faults; resource samples) for bench/Charts (null: not written).</summary>
    public string? TimelinePath { get; init; }

    /// <summary>Free text for the report (e.g. what was changed for this run).</summary>
    public string? Note { get; init; }

    public int TotalClients => Rooms * ClientsPerRoom;

    /// <summary>
    /// What sends are attributed to: the load steps, or with <see cref="Faults"/> the phases of the one step (warm-up,
    /// quiet baseline, then one per fault).
    /// </summary>
    public int TagCount => Faults.Count > 0 ? Faults.Count + 2 : Math.Max(1, Steps.Count);
}
