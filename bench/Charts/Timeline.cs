namespace OrleansChat.Bench.Charts;

/// <summary>
/// One run of a reliability scenario, as the load tool writes it (camelCase JSON, see bench/README.md): a row per
/// second of the run, the faults injected into it and memory samples of the processes under test.
/// </summary>
public sealed record Timeline(
    string? Title,
    string? Scenario,
    IReadOnlyList<TimelineSecond>? Seconds,
    IReadOnlyList<TimelineFault>? Faults,
    IReadOnlyList<MemorySample>? Memory);

/// <summary>One second of the run: <paramref name="T"/> seconds since its start; latencies are null when nothing was delivered.</summary>
public sealed record TimelineSecond(double T, long Deliveries, double? P50Ms, double? P99Ms, double? MaxMs, long Errors);

/// <summary>A fault injected at <paramref name="At"/> seconds; <paramref name="RecoveredAt"/> is null when the run never saw it recover.</summary>
public sealed record TimelineFault(string? Name, double At, double? RecoveredAt);

/// <summary>One sample of one process (silo1, web1, redis, ...); the managed figures are null for a process without them.</summary>
public sealed record MemorySample(double T, string? Process, double RssMb, double? HeapMb, int? Threads, int? Sockets);
