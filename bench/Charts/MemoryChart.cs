using ScottPlot;

namespace OrleansChat.Bench.Charts;

/// <summary>
/// RSS per process (managed heap dashed in the same colour where the process has one) above its thread count, on
/// one time axis, with the faults marked as on the latency chart.
/// </summary>
internal static class MemoryChart
{
    public static Multiplot Build(Timeline timeline, string title)
    {
        var samples = timeline.Memory ?? [];
        var faults = (timeline.Faults ?? []).OrderBy(f => f.At).ToList();
        var processes = samples.GroupBy(m => m.Process ?? "?", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Samples: g.OrderBy(m => m.T).ToList()))
            .ToList();
        var (tMin, tMax) = ChartStyle.TimeRange(samples.Select(m => m.T)
            .Concat((timeline.Seconds ?? []).Select(s => s.T))
            .Concat(faults.Select(f => f.At)));

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new StackedRows(0.68f, 0.32f);
        var memory = multiplot.GetPlot(0);
        var threads = multiplot.GetPlot(1);

        for (var i = 0; i < processes.Count; i++)
        {
            var (name, series) = processes[i];

            // A missing sample (a process killed and not yet back) leaves a gap rather than a line across it.
            var gap = Series.GapThreshold(series.Select(m => m.T));
            var color = ChartStyle.ProcessColors[i % ChartStyle.ProcessColors.Length];
            ChartStyle.AddLine(memory, Series.Segments(series, m => m.T, m => m.RssMb, gap), color, 2f, LinePattern.Solid, $"{name} RSS", markerSize: 4);
            var heap = Series.Segments(series, m => m.T, m => m.HeapMb, gap);
            if (heap.Count > 0)
            {
                ChartStyle.AddLine(memory, heap, color, 1.5f, LinePattern.Dashed, $"{name} managed heap");
            }

            ChartStyle.AddLine(threads, Series.Segments(series, m => m.T, m => m.Threads, gap), color, 1.5f, LinePattern.Solid, name, markerSize: 3);
        }

        var memoryTop = Series.UpperLimit(samples.Select(m => Math.Max(m.RssMb, m.HeapMb ?? 0)).DefaultIfEmpty(0).Max());
        var threadsTop = Series.UpperLimit(samples.Select(m => (double)(m.Threads ?? 0)).DefaultIfEmpty(0).Max());
        memory.Axes.SetLimits(tMin, tMax, 0, memoryTop);
        threads.Axes.SetLimits(tMin, tMax, 0, threadsTop);
        FaultMarks.Add(memory, faults, tMin, tMax, memoryTop, labelled: true);
        FaultMarks.Add(threads, faults, tMin, tMax, threadsTop, labelled: false);

        memory.Title(title);
        memory.YLabel("memory (MB): RSS solid, managed heap dashed");
        threads.YLabel("threads");
        threads.XLabel("time since the run's start (s)");
        ChartStyle.Style(memory, legend: true);
        ChartStyle.Style(threads, legend: false);
        ChartStyle.Pad(memory, top: 50, bottom: 30);
        ChartStyle.Pad(threads, top: 15, bottom: 60);
        return multiplot;
    }
}
