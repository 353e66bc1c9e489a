using ScottPlot;

namespace OrleansChat.Bench.Charts;

/// <summary>
/// p99 (and p50) latency per second above deliveries per second (errors on a right axis when there were any), on one
/// time axis; each fault a labelled vertical line on both, shaded until it recovered.
/// </summary>
internal static class LatencyChart
{
    public static Multiplot Build(Timeline timeline, string title)
    {
        var seconds = (timeline.Seconds ?? []).OrderBy(s => s.T).ToList();
        var faults = (timeline.Faults ?? []).OrderBy(f => f.At).ToList();
        var (tMin, tMax) = ChartStyle.TimeRange(seconds.Select(s => s.T)
            .Concat(faults.Select(f => f.At))
            .Concat(faults.Select(f => f.RecoveredAt ?? f.At)));

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new StackedRows(0.58f, 0.42f);
        var latency = multiplot.GetPlot(0);
        var deliveries = multiplot.GetPlot(1);

        var p99 = Series.Segments(seconds, s => s.T, s => s.P99Ms);
        var p50 = Series.Segments(seconds, s => s.T, s => s.P50Ms);
        var blue = Color.FromHex("#1f5fa8");
        ChartStyle.AddLine(latency, p50, blue.WithAlpha(0.4), 1.5f, LinePattern.Solid, "p50");
        ChartStyle.AddLine(latency, p99, blue, 2f, LinePattern.Solid, "p99");
        var latencyMax = seconds.Select(s => Math.Max(s.P99Ms ?? 0, s.P50Ms ?? 0)).DefaultIfEmpty(0).Max();
        var latencyTop = Series.UpperLimit(latencyMax);
        latency.Axes.SetLimits(tMin, tMax, 0, latencyTop);
        latency.Title(title);
        latency.YLabel("latency per second (ms)");
        latency.XLabel("");

        var green = Color.FromHex("#2e7d32");
        ChartStyle.AddLine(deliveries, Series.Segments(seconds, s => s.T, s => (double)s.Deliveries), green, 1.5f, LinePattern.Solid, "deliveries / s");
        var deliveriesTop = Series.UpperLimit(seconds.Select(s => (double)s.Deliveries).DefaultIfEmpty(0).Max());
        deliveries.Axes.SetLimits(tMin, tMax, 0, deliveriesTop);
        deliveries.YLabel("chunk deliveries per second");
        deliveries.XLabel("time since the run's start (s)");
        if (seconds.Any(s => s.Errors > 0))
        {
            var errors = Series.Segments(seconds, s => s.T, s => (double)s.Errors);
            ChartStyle.AddLine(deliveries, errors, ChartStyle.ErrorColor, 1.5f, LinePattern.Solid, "client errors / s", deliveries.Axes.Right);
            deliveries.Axes.SetLimitsY(0, Series.UpperLimit(seconds.Max(s => (double)s.Errors)), deliveries.Axes.Right);
            deliveries.Axes.Right.Label.Text = "client errors per second";
        }

        FaultMarks.Add(latency, faults, tMin, tMax, latencyTop, labelled: true);
        FaultMarks.Add(deliveries, faults, tMin, tMax, deliveriesTop, labelled: false);

        ChartStyle.Style(latency, legend: true);
        ChartStyle.Style(deliveries, legend: true);
        ChartStyle.Pad(latency, top: 50, bottom: 30);
        ChartStyle.Pad(deliveries, top: 15, bottom: 60);
        return multiplot;
    }
}
