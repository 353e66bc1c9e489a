using System.Globalization;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// Renders reports as markdown: the modes side by side (<see cref="ComparisonReport"/>), one row per step, memory and
/// idle CPU tables, and the issue's targets; then S8's commit-cost tables (<see cref="CommitCostReport"/>).
/// </summary>
public static class MarkdownReport
{
    public static string Render(IReadOnlyList<LoadReport> reports)
    {
        var commitCost = CommitCostReport.Render(reports);
        var reliability = ReliabilityReport.Render(reports);
        var load = reports.Where(r => r.CommitCost is null).ToList();
        return (reliability.Length > 0 ? reliability + Environment.NewLine : "")
            + (load.Count == 0 ? commitCost : RenderLoad(load) + (commitCost.Length > 0 ? Environment.NewLine + commitCost : ""));
    }

    private static string RenderLoad(IReadOnlyList<LoadReport> reports)
    {
        var modeLabel = ModeLabels(reports);
        var md = new StringBuilder(ComparisonReport.Render(reports));
        if (md.Length > 0)
        {
            md.AppendLine("## Every step");
            md.AppendLine();
        }

        md.AppendLine("| scenario | mode | shape | conns | step | p50 ms | p90 ms | p99 ms | max ms | cross-WF p99 | commit p99 | deliveries/s | lost | dup | reordered | lost commits | errors | server CPU (% of machine) | CPU µs/delivery | harness (% of a core) | other processes (% of a core) | load avg |");
        md.AppendLine("|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|");
        foreach (var r in reports)
        {
            foreach (var s in r.Steps)
            {
                md.AppendLine(string.Create(CultureInfo.InvariantCulture, 
                    $"| {r.Scenario} | {modeLabel(r)} | {r.Rooms}×{r.ClientsPerRoom} | {r.Connect.Connected} | {s.Label} | {s.Latency.P50} | {s.Latency.P90} | {s.Latency.P99} | {s.Latency.Max} | " +
                    $"{s.CrossWebFrontLatency.P99} | {s.CommitLatency.P99} | {s.DeliveriesPerSecond:0} | {Lost(s)} | {s.Duplicated} | {s.OutOfOrder} | {s.LostCommits} | {Errors(s.Errors)} | " +
                    $"{s.ServerCpuPercentOfMachine:0.0} | {s.CpuPerDeliveryUs:0.0} | {s.HarnessCpuPercentOfCore:0} | {s.OtherCpuPercentOfCore:0} | {s.LoadAverageStart:0.0}→{s.LoadAverageEnd:0.0} |"));
            }
        }

        var withMemory = reports.Where(r => r.Memory.Count > 0 && r.Steps.Count == 0).ToList();
        if (withMemory.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Idle connections (RSS from /proc; conns = connections that process serves, all of them for silos and redis; " +
                "KB/connection = (RSS all joined − RSS before) ÷ conns; marginal = (RSS all joined − RSS half joined) ÷ the second half's conns, " +
                "i.e. without one-time costs such as code compiled for the first joins):");
            md.AppendLine();
            md.AppendLine("| scenario | mode | process | conns | RSS before MB | RSS half joined MB | RSS all joined MB | KB/connection | marginal KB/connection | peak MB | idle CPU % of a core (0 conns → all joined) | connect/s |");
            md.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
            foreach (var r in withMemory)
            {
                foreach (var m in r.Memory)
                {
                    var before = r.IdleCpuBeforeConnect.FirstOrDefault(c => c.Name == m.Name)?.PercentOfCore;
                    var after = r.IdleCpuConnected.FirstOrDefault(c => c.Name == m.Name)?.PercentOfCore;
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture, 
                        $"| {r.Scenario} | {modeLabel(r)} | {m.Name} | {m.Connections} | {m.BaselineRssKb / 1024.0:0.0} | {m.HalfRssKb / 1024.0:0.0} | {m.ConnectedRssKb / 1024.0:0.0} | {m.KbPerConnection:0.0} | {m.MarginalKbPerConnection:0.0} | {m.PeakRssKb / 1024.0:0.0} | {before?.ToString("0.0", CultureInfo.InvariantCulture) ?? "–"} → {after?.ToString("0.0", CultureInfo.InvariantCulture) ?? "–"} | {r.Connect.PerSecond:0} |"));
                }
            }
        }

        var idle = reports.Where(r => r.IdleCpuBeforeConnect.Count > 0).ToList();
        if (idle.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Idle CPU before connecting (% of one core, per process):");
            md.AppendLine();
            foreach (var group in idle.GroupBy(r => string.Join(",", r.IdleCpuBeforeConnect.Select(c => c.Name))))
            {
                var names = group.First().IdleCpuBeforeConnect.Select(c => c.Name).ToList();
                md.AppendLine("| scenario | mode | " + string.Join(" | ", names) + " |");
                md.AppendLine("|---|---|" + string.Concat(names.Select(_ => "---:|")));
                foreach (var r in group)
                {
                    md.AppendLine($"| {r.Scenario} | {modeLabel(r)} | " + string.Join(" | ", r.IdleCpuBeforeConnect.Select(c => c.PercentOfCore.ToString("0.0", CultureInfo.InvariantCulture))) + " |");
                }

                md.AppendLine();
            }
        }

        var cpu = reports.Where(r => r.Steps.Count > 0 && r.Steps[0].ServerCpu.Count > 0).ToList();
        if (cpu.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Server CPU per process during each measured window (% of one core):");
            md.AppendLine();
            foreach (var group in cpu.GroupBy(r => string.Join(",", r.Steps[0].ServerCpu.Select(c => c.Name))))
            {
                var names = group.First().Steps[0].ServerCpu.Select(c => c.Name).ToList();
                md.AppendLine("| scenario | mode | step | " + string.Join(" | ", names) + " |");
                md.AppendLine("|---|---|---|" + string.Concat(names.Select(_ => "---:|")));
                foreach (var r in group)
                {
                    foreach (var s in r.Steps)
                    {
                        md.AppendLine($"| {r.Scenario} | {modeLabel(r)} | {s.Label} | " + string.Join(" | ", s.ServerCpu.Select(c => c.PercentOfCore.ToString("0.0", CultureInfo.InvariantCulture))) + " |");
                    }
                }

                md.AppendLine();
            }
        }

        md.AppendLine();
        md.AppendLine("Targets (cluster mode, cross-WebFront):");
        md.AppendLine();
        foreach (var line in Targets(reports))
        {
            md.AppendLine("- " + line);
        }

        return md.ToString();
    }

    /// <summary>The issue's targets, each with the measured value and met/missed.</summary>
    public static IEnumerable<string> Targets(IReadOnlyList<LoadReport> reports)
    {
        // The targets are OrleansChat's: the reference peers' reports never answer them.
        var modeLabel = ModeLabels(reports);
        LoadReport? Find(string scenario) => reports.LastOrDefault(r => r.Scenario == scenario && r.Mode == "cluster" && (r.Steps.Count > 0 || scenario == "S4"))
            ?? reports.LastOrDefault(r => r.Scenario == scenario && !r.IsReferencePeer);

        foreach (var (scenario, limit) in new[] { ("S1", 10.0), ("S2", 15.0), ("S3", 15.0) })
        {
            if (Find(scenario) is { Steps.Count: > 0 } r)
            {
                var s = r.Steps[0];
                yield return string.Create(CultureInfo.InvariantCulture, $"{scenario} ({modeLabel(r)}) p99 < {limit} ms: {s.Latency.P99} ms, {Verdict(s.Latency.P99 < limit, s.Latency.P99 - limit, "ms")}; " +
                    $"lost/dup/reordered/lost commits {Lost(s)}/{s.Duplicated}/{s.OutOfOrder}/{s.LostCommits}: {(s.Clean ? "met" : "**missed**")}");
                if (scenario == "S3")
                {
                    yield return string.Create(CultureInfo.InvariantCulture, $"S3 ({modeLabel(r)}) server CPU per delivered chunk < 120 µs: {s.CpuPerDeliveryUs} µs, {Verdict(s.CpuPerDeliveryUs < 120, s.CpuPerDeliveryUs - 120, "µs")}");
                }
            }
        }

        if (Find("S4") is { } s4)
        {
            foreach (var m in s4.Memory.Where(m => m.Name.StartsWith("web", StringComparison.Ordinal)))
            {
                var perConnection = m.MarginalKbPerConnection ?? m.KbPerConnection;
                yield return string.Create(CultureInfo.InvariantCulture, $"S4 ({modeLabel(s4)}) {m.Name} < 20 KB per idle connection: {perConnection:0.0} KB marginal ({m.KbPerConnection:0.0} KB average including one-time costs) over {m.Connections} connections, {Verdict(perConnection < 20, perConnection - 20, "KB")}");
            }
        }

        foreach (var s5 in reports.Where(r => r.Scenario == "S5" && r.Steps.Count > 0 && !r.IsReferencePeer))
        {
            var held = s5.HighestHeld(100);
            var last = s5.Steps[^1];
            var best = held is null ? "none" : string.Create(CultureInfo.InvariantCulture, $"{held.DeliveriesPerSecond:0} deliveries/s at {held.Label} per room (p99 {held.Latency.P99} ms)");
            yield return string.Create(CultureInfo.InvariantCulture, $"S5 ({modeLabel(s5)}) highest load held (p99 ≤ 100 ms, nothing lost): {best}" +
                $"; the last step ({last.Label}): p99 {last.Latency.P99} ms, lost {last.Lost}, server CPU {last.ServerCpuPercentOfMachine:0}% of the machine, harness {last.HarnessCpuPercentOfCore:0}% of a core");
        }
    }

    /// <summary>Each report's mode, with its round when the run was repeated (bench/run.sh ROUNDS).</summary>
    private static Func<LoadReport, string> ModeLabels(IReadOnlyList<LoadReport> reports) =>
        reports.Select(r => r.Round).Distinct().Skip(1).Any() ? r => $"{r.Mode} (round {r.Round})" : r => r.Mode;

    private static string Verdict(bool met, double by, string unit) =>
        met ? "met" : string.Create(CultureInfo.InvariantCulture, $"**missed by {by:0.0} {unit}**");

    /// <summary>The lost deliveries, and how many of them were still on their way when the drain ended.</summary>
    private static string Lost(StepResult step) =>
        step.LateAtDrainEnd > 0 ? string.Create(CultureInfo.InvariantCulture, $"{step.Lost} ({step.LateAtDrainEnd} late)") : step.Lost.ToString(CultureInfo.InvariantCulture);

    private static string Errors(IReadOnlyDictionary<string, long> errors) =>
        errors.Count == 0 ? "" : string.Join(" ", errors.Select(e => $"{e.Key}={e.Value}"));
}
