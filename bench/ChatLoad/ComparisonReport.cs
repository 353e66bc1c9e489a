using System.Globalization;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// The headline table of a run that measured several modes: one row per figure (S1 p99, S2 and S3 p99 and CPU per
/// delivery, S4 join time and memory per connection, S5 capacity), every mode's value side by side, and each
/// OrleansChat mode's value as a ratio to the SignalR + Redis peer and to the plain relay (aspnet-ws) of the same
/// run. Ratios are OrleansChat ÷ peer: below 1× is better, except for capacity.
/// A run of several rounds (bench/run.sh ROUNDS) shows each value as the median of its rounds with their range, and
/// each ratio as the median of the rounds' own ratios (a round's OrleansChat value ÷ the same round's peer value: modes
/// measured minutes apart, not an hour), with how many rounds were at or better than the peer.
/// </summary>
public static class ComparisonReport
{
    public const string SignalRMode = "signalr-redis";
    public const string PlainMode = "aspnet-ws";

    /// <summary>
    /// Each figure: its label, unit, number format, whether higher is better, and how to read it from a mode's reports
    /// (its value, whether nothing was lost, and for S5 the load step held: two modes that held the same step tie).
    /// </summary>
    private static readonly (string Label, string Unit, string Format, bool HigherIsBetter, Func<IReadOnlyList<LoadReport>, string, Measured?> Measure)[] Figures =
    [
        ("S1 p99", "ms", "0.0#", false, (r, m) => FirstStep(r, "S1", m, s => s.Latency.P99)),
        ("S2 p99", "ms", "0.0#", false, (r, m) => FirstStep(r, "S2", m, s => s.Latency.P99)),
        ("S2 server CPU per delivery", "µs", "0", false, (r, m) => FirstStep(r, "S2", m, s => s.CpuPerDeliveryUs)),
        ("S3 p99", "ms", "0.0#", false, (r, m) => FirstStep(r, "S3", m, s => s.Latency.P99)),
        ("S3 server CPU per delivery", "µs", "0", false, (r, m) => FirstStep(r, "S3", m, s => s.CpuPerDeliveryUs)),
        ("S4 join time, all connections", "s", "0.0", false, (r, m) => Idle(r, m, x => x.Connect.Seconds)),
        ("S4 memory per connection, all processes", "KB", "0.0", false, (r, m) => Idle(r, m, KbPerConnection)),
        ("S4 marginal memory per connection, all processes", "KB", "0.0", false, (r, m) => Idle(r, m, MarginalKbPerConnection)),
        ("S5 capacity, p99 ≤ 100 ms and nothing lost", "deliveries/s", "0", true, Capacity),
    ];

    /// <summary>One mode's figure in one round.</summary>
    private readonly record struct Measured(double Value, bool Clean, string? Level = null);

    /// <summary>The table, or nothing when the reports hold fewer than two modes.</summary>
    public static string Render(IReadOnlyList<LoadReport> reports)
    {
        var modes = reports.Select(r => r.Mode).Distinct(StringComparer.Ordinal).ToList();
        if (modes.Count < 2)
        {
            return "";
        }

        var rounds = reports.Select(r => r.Round).Distinct().Order().ToList();
        var byRound = rounds.ToDictionary(k => k, k => (IReadOnlyList<LoadReport>)reports.Where(r => r.Round == k).ToList());
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
            (rounds.Count > 1
                ? $"The run went through every mode {rounds.Count} times (rounds, each in its own order of modes): a value is the median " +
                  "of its rounds (lowest–highest), a ratio the median of the rounds' own ratios (each round's value ÷ the same round's peer " +
                  "value), with the rounds at or better than that peer. "
                : "") +
            (references.Count > 0
                ? $"Ratios are OrleansChat ÷ peer ({string.Join(", ", references.Select(x => $"\"{x.Label}\" = {x.Mode}"))}): " +
                  "below 1× is better, except for capacity, where above 1× is better (two modes that held the same S5 step tie). "
                : "") +
            "CPU per delivery is all server processes' CPU (redis included) ÷ deliveries to other members; OrleansChat also echoes " +
            "every event to its sender and stores commits, the peers do neither. * = that step lost, duplicated or reordered something.");
        md.AppendLine();
        md.AppendLine("| figure | " + string.Join(" | ", columns) + string.Concat(compared.Select(m => $" | {m} vs peers")) + " |");
        md.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")) + string.Concat(compared.Select(_ => "---|")));
        // Per compared mode and reference: figures whose (median) ratio is at or better than the reference's, of those compared.
        var tally = compared.SelectMany(m => references.Select(x => (m, x.Mode))).ToDictionary(k => k, _ => (AtOrBetter: 0, Of: 0));
        foreach (var figure in Figures)
        {
            // mode -> round -> that round's measurement
            var values = columns.ToDictionary(
                m => m,
                m => rounds
                    .Select(k => (Round: k, Measured: figure.Measure(byRound[k], m)))
                    .Where(x => x.Measured is not null)
                    .ToDictionary(x => x.Round, x => x.Measured!.Value),
                StringComparer.Ordinal);
            if (values.Values.All(v => v.Count == 0))
            {
                continue;
            }

            var row = new StringBuilder($"| {figure.Label} ({figure.Unit}) |");
            foreach (var mode in columns)
            {
                row.Append(' ').Append(Cell(values[mode].Values.ToList(), figure.Format, rounds.Count > 1)).Append(" |");
            }

            foreach (var mode in compared)
            {
                var cells = new List<string>();
                foreach (var reference in references)
                {
                    // The rounds where both were measured, each round's own ratio.
                    var ratios = values[mode]
                        .Where(x => values[reference.Mode].TryGetValue(x.Key, out var peer) && peer.Value > 0)
                        .Select(x => RoundRatio(x.Value, values[reference.Mode][x.Key]))
                        .ToList();
                    if (ratios.Count == 0)
                    {
                        continue;
                    }

                    var atOrBetter = ratios.Count(r => figure.HigherIsBetter ? r >= 1 : r <= 1);
                    var median = Median(ratios);
                    var counts = tally[(mode, reference.Mode)];
                    tally[(mode, reference.Mode)] = (counts.AtOrBetter + ((figure.HigherIsBetter ? median >= 1 : median <= 1) ? 1 : 0), counts.Of + 1);
                    cells.Add(rounds.Count > 1
                        ? $"{Ratio(median)} {reference.Label} ({Ratio(ratios.Min())}–{Ratio(ratios.Max())}, at or better in {atOrBetter} of {ratios.Count})"
                        : $"{Ratio(median)} {reference.Label}");
                }

                row.Append(cells.Count > 0 ? $" {string.Join(", ", cells)} |" : " – |");
            }

            md.AppendLine(row.ToString());
        }

        md.AppendLine();
        foreach (var ((mode, reference), counts) in tally.Where(t => t.Value.Of > 0))
        {
            md.AppendLine($"- {mode}: at or better than {reference} on {counts.AtOrBetter} of {counts.Of} rows" +
                (rounds.Count > 1 ? " (median of the rounds' ratios)." : "."));
        }

        if (tally.Values.Any(t => t.Of > 0))
        {
            md.AppendLine();
        }

        return md.ToString();
    }

    /// <summary>A mode's value in one round ÷ the peer's in the same round; the same S5 step held is a tie.</summary>
    private static double RoundRatio(Measured mode, Measured peer) =>
        mode.Level is not null && mode.Level == peer.Level ? 1 : mode.Value / peer.Value;

    /// <summary>One value, or the median of several rounds' with their range; * when any of them lost something.</summary>
    private static string Cell(IReadOnlyList<Measured> measured, string format, bool repeated)
    {
        if (measured.Count == 0)
        {
            return "–";
        }

        var clean = measured.All(m => m.Clean) ? "" : "*";
        var median = Number(Median(measured.Select(m => m.Value).ToList()), format);
        return repeated && measured.Count > 1
            ? $"{median}{clean} ({Number(measured.Min(m => m.Value), format)}–{Number(measured.Max(m => m.Value), format)})"
            : median + clean;
    }

    /// <summary>The middle value (the mean of the middle two of an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The last report of a scenario and mode (a rerun replaces an earlier one).</summary>
    private static LoadReport? Find(IReadOnlyList<LoadReport> reports, string scenario, string mode) =>
        reports.LastOrDefault(r => r.Scenario == scenario && r.Mode == mode);

    private static Measured? FirstStep(IReadOnlyList<LoadReport> reports, string scenario, string mode, Func<StepResult, double> value) =>
        Find(reports, scenario, mode) is { Steps.Count: > 0 } r ? new Measured(value(r.Steps[0]), r.Steps[0].Clean) : null;

    private static Measured? Idle(IReadOnlyList<LoadReport> reports, string mode, Func<LoadReport, double?> value) =>
        Find(reports, "S4", mode) is { Steps.Count: 0 } r && value(r) is { } v ? new Measured(v, r.Connect.Failed == 0) : null;

    private static Measured? Capacity(IReadOnlyList<LoadReport> reports, string mode) =>
        Find(reports, "S5", mode) is { Steps.Count: > 0 } r
            ? r.HighestHeld(100) is { } held ? new Measured(held.DeliveriesPerSecond, true, held.Label) : new Measured(0, true)
            : null;

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

    /// <summary>Two decimals below 2×, so a ratio just above 1 (1.04×) does not read as a tie.</summary>
    private static string Ratio(double ratio) => ratio.ToString(ratio < 2 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";
}
