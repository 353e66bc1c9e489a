using System.Globalization;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// The headline table of a run that measured several modes: one row per figure (S1 p99, S2 and S3 p99 and CPU per
/// delivery, S4 join time and memory per connection, S5 capacity), every mode's value side by side, and each
/// OrleansChat mode's value as a ratio to the SignalR + Redis peer and to the plain relay (aspnet-ws) of the same
/// run. Ratios are OrleansChat ÷ peer: below 1× is better, except for capacity.
/// </summary>
public static class ComparisonReport
{
    public const string SignalRMode = "signalr-redis";
    public const string PlainMode = "aspnet-ws";

    /// <summary>Each figure: its label, unit, number format, and how to read it from a mode's reports.</summary>
    private static readonly (string Label, string Unit, string Format, Func<IReadOnlyList<LoadReport>, string, (double Value, bool Clean)?> Measure)[] Figures =
    [
        ("S1 p99", "ms", "0.0#", (r, m) => FirstStep(r, "S1", m, s => s.Latency.P99)),
        ("S2 p99", "ms", "0.0#", (r, m) => FirstStep(r, "S2", m, s => s.Latency.P99)),
        ("S2 server CPU per delivery", "µs", "0", (r, m) => FirstStep(r, "S2", m, s => s.CpuPerDeliveryUs)),
        ("S3 p99", "ms", "0.0#", (r, m) => FirstStep(r, "S3", m, s => s.Latency.P99)),
        ("S3 server CPU per delivery", "µs", "0", (r, m) => FirstStep(r, "S3", m, s => s.CpuPerDeliveryUs)),
        ("S4 join time, all connections", "s", "0.0", (r, m) => Idle(r, m, x => x.Connect.Seconds)),
        ("S4 memory per connection, all processes", "KB", "0.0", (r, m) => Idle(r, m, KbPerConnection)),
        ("S4 marginal memory per connection, all processes", "KB", "0.0", (r, m) => Idle(r, m, MarginalKbPerConnection)),
        ("S5 capacity, p99 ≤ 100 ms and nothing lost", "deliveries/s", "0", Capacity),
    ];

    /// <summary>The table, or nothing when the reports hold fewer than two modes.</summary>
    public static string Render(IReadOnlyList<LoadReport> reports)
    {
        var modes = reports.Select(r => r.Mode).Distinct(StringComparer.Ordinal).ToList();
        if (modes.Count < 2)
        {
            return "";
        }

        var peers = reports.Where(r => r.IsReferencePeer).Select(r => r.Mode).ToHashSet(StringComparer.Ordinal);
        // OrleansChat's modes first, then the peers, each in the order they ran.
        var columns = modes.Where(m => !peers.Contains(m)).Concat(modes.Where(peers.Contains)).ToList();
        var compared = modes.Where(m => !peers.Contains(m)).ToList();
        var references = new[] { (Mode: SignalRMode, Label: "SignalR"), (Mode: PlainMode, Label: "plain") }
            .Where(x => modes.Contains(x.Mode)).ToList();
        if (references.Count == 0)
        {
            compared.Clear();
        }

        var md = new StringBuilder();
        md.AppendLine("## Side by side");
        md.AppendLine();
        md.AppendLine("Every mode side by side (bench/run.sh measures them all in one run, on one machine, with one load client). " +
            (references.Count > 0
                ? $"Ratios are OrleansChat ÷ peer ({string.Join(", ", references.Select(x => $"\"{x.Label}\" = {x.Mode}"))}): " +
                  "below 1× is better, except for capacity, where above 1× is better. "
                : "") +
            "CPU per delivery is all server processes' CPU (redis included) ÷ deliveries to other members; OrleansChat also echoes " +
            "every event to its sender and stores commits, the peers do neither. * = that step lost, duplicated or reordered something.");
        md.AppendLine();
        md.AppendLine("| figure | " + string.Join(" | ", columns) + string.Concat(compared.Select(m => $" | {m} vs peers")) + " |");
        md.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")) + string.Concat(compared.Select(_ => "---|")));
        foreach (var figure in Figures)
        {
            var values = columns.ToDictionary(m => m, m => figure.Measure(reports, m), StringComparer.Ordinal);
            if (values.Values.All(v => v is null))
            {
                continue;
            }

            var row = new StringBuilder($"| {figure.Label} ({figure.Unit}) |");
            foreach (var mode in columns)
            {
                row.Append(values[mode] is { } v ? $" {Number(v.Value, figure.Format)}{(v.Clean ? "" : "*")} |" : " – |");
            }

            foreach (var mode in compared)
            {
                var ratios = references
                    .Where(x => values[mode] is not null && values[x.Mode] is { Value: > 0 })
                    .Select(x => $"{Ratio(values[mode]!.Value.Value / values[x.Mode]!.Value.Value)} {x.Label}")
                    .ToList();
                row.Append(ratios.Count > 0 ? $" {string.Join(", ", ratios)} |" : " – |");
            }

            md.AppendLine(row.ToString());
        }

        md.AppendLine();
        return md.ToString();
    }

    /// <summary>The last report of a scenario and mode (a rerun replaces an earlier one).</summary>
    private static LoadReport? Find(IReadOnlyList<LoadReport> reports, string scenario, string mode) =>
        reports.LastOrDefault(r => r.Scenario == scenario && r.Mode == mode);

    private static (double, bool)? FirstStep(IReadOnlyList<LoadReport> reports, string scenario, string mode, Func<StepResult, double> value) =>
        Find(reports, scenario, mode) is { Steps.Count: > 0 } r ? (value(r.Steps[0]), r.Steps[0].Clean) : null;

    private static (double, bool)? Idle(IReadOnlyList<LoadReport> reports, string mode, Func<LoadReport, double?> value) =>
        Find(reports, "S4", mode) is { Steps.Count: 0 } r && value(r) is { } v ? (v, r.Connect.Failed == 0) : null;

    private static (double, bool)? Capacity(IReadOnlyList<LoadReport> reports, string mode) =>
        Find(reports, "S5", mode) is { Steps.Count: > 0 } r ? (r.HighestHeld(100)?.DeliveriesPerSecond ?? 0, true) : null;

    /// <summary>(RSS all joined − RSS before) of every measured process ÷ connections.</summary>
    private static double? KbPerConnection(LoadReport r) =>
        r.Memory.Count == 0 || r.Connect.Connected == 0 ? null
            : (double)r.Memory.Sum(m => m.ConnectedRssKb - m.BaselineRssKb) / r.Connect.Connected;

    /// <summary>(RSS all joined − RSS half joined) of every measured process ÷ the second half's connections.</summary>
    private static double? MarginalKbPerConnection(LoadReport r)
    {
        var secondHalf = (r.Rooms * r.ClientsPerRoom) - (r.Rooms / 2 * r.ClientsPerRoom);
        return r.Memory.Count == 0 || secondHalf == 0 || r.Memory.Any(m => m.HalfRssKb is null) ? null
            : (double)r.Memory.Sum(m => m.ConnectedRssKb - m.HalfRssKb!.Value) / secondHalf;
    }

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString(ratio < 1 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";
}
