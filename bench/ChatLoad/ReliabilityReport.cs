using System.Globalization;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// S6 and S7 as markdown: per fault what was lost, duplicated, missed and how long clients were without live text
/// (with issue 14's targets), the soak's resource growth per process and p99 per minute, and links to the charts.
/// </summary>
public static class ReliabilityReport
{
    public static string Render(IReadOnlyList<LoadReport> reports)
    {
        var md = new StringBuilder();
        foreach (var r in reports.Where(r => r.Reliability is not null))
        {
            var rel = r.Reliability!;
            md.AppendLine(CultureInfo.InvariantCulture, $"## {r.Scenario} ({r.Mode}): {r.Shape}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Commits: {rel.CommitsSent} sent, **{rel.CommitsLost} lost**, **{rel.CommitsDuplicated} duplicated**, {rel.CommitsUnconfirmed} unconfirmed at the end; {rel.Reconnects} client reconnects in all.");
            md.AppendLine();
            if (rel.Faults is { Count: > 0 } faults)
            {
                md.AppendLine("| fault | at s | commands s | affected clients | recovered | live again p50 ms | p99 ms | max ms | longest cut p50 ms | p99 ms | max ms | reconnects | chunk deliveries expected | missed | dup | commits sent | lost | dup | client-visible errors | target |");
                md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
                foreach (var f in faults)
                {
                    var p = f.Phase;
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {f.Name}{(f.CommandError is null ? "" : " (**" + f.CommandError + "**)")} | {f.AtSeconds:0.0} | {f.CommandSeconds:0.0} | {f.Recovery.Affected} | {f.Recovery.Recovered} | " +
                        $"{f.Recovery.P50Ms:0} | {f.Recovery.P99Ms:0} | {f.Recovery.MaxMs:0} | {f.Recovery.LongestCutP50Ms:0} | {f.Recovery.LongestCutP99Ms:0} | {f.Recovery.LongestCutMaxMs:0} | {f.Reconnects} | {p.ExpectedDeliveries} | {p.Lost} | {p.Duplicated} | {p.CommitsSent} | {p.LostCommits} | {p.DuplicatedCommits} | " +
                        $"{Errors(p.Errors)} | {Target(f)} |");
                }

                md.AppendLine();
                md.AppendLine("Live again = from the fault's first command until the client has a fresh welcome (if its socket went) and chunks from its " +
                    "room's typist arrive again (if it stopped getting them for longer than the stall threshold); affected = clients cut off either way; " +
                    "longest cut = the longest single stretch a client went without live text (a rolling restart is judged on it: its steps are separate restarts). " +
                    "Missed = chunk deliveries sent in the phase that never arrived (the draft itself is re-sent after a reconnect, so no text is lost). " +
                    "Commits are checked after the run against every member's view (commit events and welcome histories).");
                md.AppendLine();
            }

            if (rel.Soak is { } soak)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"Resources after warm-up → end (medians of the first and last three samples, every {soak.SampleIntervalSeconds:0} s; {soak.Samples} samples):");
                md.AppendLine();
                md.AppendLine("| process | RSS MB | growth | managed heap MB | growth | threads | open sockets | flat (≤ 5 %)? |");
                md.AppendLine("|---|---|---:|---|---:|---|---|---|");
                foreach (var p in soak.Processes)
                {
                    var flat = p.RssGrowthPercent <= 5 && (p.HeapGrowthPercent ?? 0) <= 5;
                    md.AppendLine(CultureInfo.InvariantCulture,
                        $"| {p.Name} | {p.RssMbStart:0.0} → {p.RssMbEnd:0.0} | {p.RssGrowthPercent:0.0} % | {Pair(p.HeapMbStart, p.HeapMbEnd)} | {(p.HeapGrowthPercent is { } h ? h.ToString("0.0", CultureInfo.InvariantCulture) + " %" : "–")} | " +
                        $"{Pair(p.ThreadsStart, p.ThreadsEnd)} | {Pair(p.SocketsStart, p.SocketsEnd)} | {(flat ? "yes" : "**no**")} |");
                }

                md.AppendLine();
                if (soak.LatencyPerMinute.Count > 0)
                {
                    md.AppendLine("p99 per whole minute of the measured window (ms): " + string.Join(", ", soak.LatencyPerMinute.Select(m => m.P99.ToString("0.0#", CultureInfo.InvariantCulture))));
                    md.AppendLine();
                }
            }

            var step = r.Steps.FirstOrDefault(s => s.Label != "warm-up");
            if (rel.Faults is null && step is not null)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"Load: {step.DeliveriesPerSecond:0} deliveries/s, p50 {step.Latency.P50} ms, p99 {step.Latency.P99} ms, max {step.Latency.Max} ms; lost {step.Lost}, dup {step.Duplicated}, reordered {step.OutOfOrder}; server CPU {step.CpuPerDeliveryUs:0} µs/delivery.");
                md.AppendLine();
            }

            if (rel.TimelinePath is { } timeline)
            {
                var stem = Path.GetFileNameWithoutExtension(timeline);
                md.AppendLine($"Charts: [latency and deliveries]({stem}-latency.png)" + (rel.Soak is not null ? $", [memory]({stem}-memory.png)" : "") + $" (data: `{Path.GetFileName(timeline)}`).");
                md.AppendLine();
            }
        }

        return md.ToString();
    }

    /// <summary>Issue 14: live text back within 5 s p99 after a silo kill, 2 s after a WebFront kill or a graceful restart; nothing lost.</summary>
    private static string Target(FaultResult f)
    {
        var limit = f.Name.Contains("silo", StringComparison.Ordinal) && f.Name.Contains("kill", StringComparison.Ordinal) ? 5000
            : f.Name.Contains("redis", StringComparison.Ordinal) ? (double?)null
            : 2000;
        var commits = f.Phase.LostCommits == 0 && f.Phase.DuplicatedCommits == 0;
        var recovered = f.Recovery.Recovered == f.Recovery.Affected;
        if (limit is null)
        {
            return commits && recovered ? "nothing lost (no recovery target)" : "**commits lost/duplicated or clients not recovered**";
        }

        var rolling = f.Name.Contains("rolling", StringComparison.Ordinal);
        var p99 = rolling ? f.Recovery.LongestCutP99Ms : f.Recovery.P99Ms;
        var met = commits && recovered && p99 <= limit;
        return string.Create(CultureInfo.InvariantCulture,
            $"{(rolling ? "longest cut" : "live again")} p99 ≤ {limit / 1000:0} s, 0 lost: {(met ? "met" : $"**missed** ({p99 / 1000:0.0} s)")}");
    }

    private static string Pair<T>(T? from, T? to) where T : struct =>
        from is null && to is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{from} → {to}");

    private static string Errors(IReadOnlyDictionary<string, long> errors) =>
        errors.Count == 0 ? "" : string.Join(" ", errors.Select(e => $"{e.Key}={e.Value}"));
}
