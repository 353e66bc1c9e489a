using HdrHistogram;
using System.Text.Json.Serialization;

namespace OrleansChat.Bench;

/// <summary>Latency distribution in milliseconds.</summary>
public sealed record Percentiles(long Count, double P50, double P90, double P99, double P999, double Max)
{
    public static Percentiles From(HistogramBase micros)
    {
        if (micros.TotalCount == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0, 0);
        }

        double At(double percentile) => Math.Round(micros.GetValueAtPercentile(percentile) / 1000.0, 2);
        return new Percentiles(micros.TotalCount, At(50), At(90), At(99), At(99.9), Math.Round(micros.GetMaxValue() / 1000.0, 2));
    }
}

/// <summary>CPU used by one process over a window.</summary>
public sealed record ProcessCpu(string Name, double Seconds, double PercentOfCore);

/// <summary>
/// Memory of one process: before any connection, with half of the connections joined, with all joined (after the
/// hold), at the end, and its peak. <see cref="KbPerConnection"/> = (all − before) ÷ connections;
/// <see cref="MarginalKbPerConnection"/> = (all − half) ÷ the second half's connections, the cost of one more idle
/// connection without the one-time costs the first joins bring (compiled code, loaded libraries).
/// </summary>
public sealed record ProcessMemory(
    string Name,
    int Pid,
    long BaselineRssKb,
    long? HalfRssKb,
    long ConnectedRssKb,
    long EndRssKb,
    long PeakRssKb,
    int Connections,
    double KbPerConnection,
    double? MarginalKbPerConnection);

public sealed record ConnectResult(int Requested, int Connected, int Failed, int Retries, double Seconds, double PerSecond);

/// <summary>
/// One load step: the measured window after its warm-up, plus everything sent in the step checked for loss.
/// <see cref="Lost"/> counts the chunk deliveries that had not arrived when the drain after the step ended;
/// <see cref="LateAtDrainEnd"/> is the part of them newer than the last chunk that did arrive from the same sender (still
/// on their way, as in an overloaded step), so <c>Lost - LateAtDrainEnd</c> were skipped: a later chunk came instead.
/// </summary>
public sealed record StepResult(
    string Label,
    int TypistsPerRoom,
    double ChunksPerSecond,
    double WindowSeconds,
    long ChunksSent,
    long ExpectedDeliveries,
    long Delivered,
    long Lost,
    long LateAtDrainEnd,
    long Duplicated,
    long OutOfOrder,
    long WindowDeliveries,
    double DeliveriesPerSecond,
    Percentiles Latency,
    Percentiles CrossWebFrontLatency,
    long CommitsSent,
    long CommitDeliveriesExpected,
    long CommitsDelivered,
    long LostCommits,
    long DuplicatedCommits,
    long UnconfirmedCommits,
    Percentiles CommitLatency,
    IReadOnlyDictionary<string, long> Errors,
    long Resyncs,
    long RoomSeqGaps,
    IReadOnlyList<ProcessCpu> ServerCpu,
    double ServerCpuSeconds,
    double ServerCpuPercentOfMachine,
    double CpuPerDeliveryUs,
    double HarnessCpuSeconds,
    double HarnessCpuPercentOfCore,
    double OtherCpuPercentOfCore,
    double LoadAverageStart,
    double LoadAverageEnd)
{
    /// <summary>No chunk or commit lost, duplicated or reordered.</summary>
    [JsonIgnore]
    public bool Clean => Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && LostCommits == 0 && DuplicatedCommits == 0;
}

/// <summary>
/// One S8 variant: its room's pre-fill, then <see cref="Commits"/> commits timed one at a time from send to the
/// sender's own commit event, with the Redis traffic of that window. Redis bytes are the growth of its
/// <c>total_net_input_bytes</c> (everything every client sent it in the window: grain state writes, membership, stream
/// pub-sub state, ...); <see cref="IdleInputBytesPerSecond"/> is the same counter's rate with the socket joined and
/// idle, measured right after, and <see cref="RedisInputBytesPerCommit"/> the window's bytes less that rate × the
/// window, per commit. <see cref="AofBytesPerCommit"/> is the growth of <c>aof_current_size</c> per commit (null when
/// Redis rewrote its AOF in the window, or has none).
/// </summary>
public sealed record CommitCostStep(
    string Label,
    string Room,
    int TargetHistory,
    int MessageChars,
    int History,
    double PrefillSeconds,
    string? PrefillStopped,
    int Commits,
    int FailedCommits,
    string? MeasureStopped,
    double WindowSeconds,
    Percentiles Latency,
    long? RedisInputBytes,
    double? RedisInputBytesPerCommitRaw,
    double? IdleInputBytesPerSecond,
    double IdleSeconds,
    double? RedisInputBytesPerCommit,
    double? AofBytesPerCommit,
    long? RedisUsedMemoryBefore,
    long? RedisUsedMemoryAfter,
    IReadOnlyList<ProcessCpu> ServerCpu,
    double ServerCpuMsPerCommit,
    IReadOnlyDictionary<string, long> Errors,
    double LoadAverageStart,
    double LoadAverageEnd);

/// <summary>What an S8 run measured, and how (<see cref="CommitCostOptions"/>).</summary>
public sealed record CommitCostResult(
    int CommitsPerVariant,
    int WarmupCommits,
    double GapMs,
    double CommitTimeoutSeconds,
    double PrefillBudgetSeconds,
    double MeasureBudgetSeconds,
    string? Redis,
    IReadOnlyList<CommitCostStep> Variants);

/// <summary>
/// How long the affected clients of a fault were without live text: until live again, in ms from the fault's first
/// command (<c>P50Ms</c>...), and the longest single stretch each went without (<c>LongestCutP50Ms</c>...: for a
/// rolling restart, the worst of its steps rather than the whole sequence). A stretch runs from the last chunk before
/// it (up to one chunk interval before the cut) to the next one, or from a socket's loss to its next welcome.
/// </summary>
public sealed record RecoveryTimes(
    int Affected, int Recovered, double P50Ms, double P99Ms, double MaxMs, double LongestCutP50Ms = 0, double LongestCutP99Ms = 0, double LongestCutMaxMs = 0);

/// <summary>
/// One S6 fault under load: what its commands did, and what the clients saw from its start until the next fault.
/// <see cref="Phase"/> holds the phase's deliveries (chunks sent in it and missed are <c>Lost</c> there), commits
/// (lost and duplicated must be 0) and the errors clients saw, by code. A client is affected when its socket went
/// away or it got no chunk for longer than the stall threshold while its room's typist typed; it has recovered when it
/// has a fresh welcome and live chunks arrive again.
/// </summary>
public sealed record FaultResult(
    string Name,
    IReadOnlyList<string> Commands,
    double AtSeconds,
    double CommandSeconds,
    string? CommandError,
    RecoveryTimes Recovery,
    int Reconnects,
    StepResult Phase);

/// <summary>One process over a soak: its resources after warm-up and at the end (medians of three samples each).</summary>
public sealed record SoakProcess(
    string Name,
    double RssMbStart,
    double RssMbEnd,
    double RssGrowthPercent,
    double? HeapMbStart,
    double? HeapMbEnd,
    double? HeapGrowthPercent,
    int? ThreadsStart,
    int? ThreadsEnd,
    int? SocketsStart,
    int? SocketsEnd);

/// <summary>S7: resource growth after warm-up per process and latency per minute over a long run.</summary>
public sealed record SoakResult(double SampleIntervalSeconds, int Samples, IReadOnlyList<SoakProcess> Processes, IReadOnlyList<Percentiles> LatencyPerMinute);

/// <summary>S6 and S7: the faults, the soak and where the timeline (per-second figures for bench/Charts) was written.</summary>
public sealed record ReliabilityResult(
    IReadOnlyList<FaultResult>? Faults,
    SoakResult? Soak,
    string? TimelinePath,
    long CommitsSent,
    long CommitsLost,
    long CommitsDuplicated,
    long CommitsUnconfirmed,
    int Reconnects);

/// <summary>Everything one run measured; serialized as JSON and summarized as markdown.</summary>
public sealed record LoadReport(
    string Scenario,
    string Mode,
    DateTimeOffset StartedAt,
    string Machine,
    int Cores,
    string Shape,
    IReadOnlyList<string> Endpoints,
    int Rooms,
    int ClientsPerRoom,
    double CommitIntervalSeconds,
    double WarmupSeconds,
    double DurationSeconds,
    ConnectResult Connect,
    IReadOnlyList<ProcessCpu> IdleCpuBeforeConnect,
    IReadOnlyList<ProcessCpu> IdleCpuConnected,
    IReadOnlyList<StepResult> Steps,
    IReadOnlyList<ProcessMemory> Memory,
    IReadOnlyDictionary<string, long> SetupErrors,
    double LoadAverageStart,
    double LoadAverageEnd,
    string? Note,
    string? Protocol = null,
    CommitCostResult? CommitCost = null,
    ReliabilityResult? Reliability = null,
    int Round = 1)
{
    /// <summary>The <see cref="ChatProtocol"/> the run spoke (reports from before it was recorded: OrleansChat).</summary>
    [JsonIgnore]
    public bool IsReferencePeer => Protocol is not null && Protocol != nameof(ChatProtocol.OrleansChat);

    /// <summary>The last step that was clean and under the p99 limit (S5's answer), if any.</summary>
    public StepResult? HighestHeld(double p99LimitMs) =>
        Steps.Where(s => s.Clean && s.Latency.P99 <= p99LimitMs).MaxBy(s => s.DeliveriesPerSecond);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LoadReport))]
[JsonSerializable(typeof(List<LoadReport>))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
