using System.Globalization;
using System.Text;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Analysis;
using Microsoft.Diagnostics.Tracing.Analysis.GC;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace OrleansChat.TraceReport;

/// <summary>
/// The garbage collections of a trace collected with the runtime's GC events (profile.sh does, or
/// <c>--providers Microsoft-Windows-DotNETRuntime:0x1:4</c>): how often the process was paused, for how long, by which
/// generation. A pause stops every thread of the process, so on the event path it is latency that every event in
/// flight waits out: this is the table behind a tail that CPU samples do not explain.
/// </summary>
internal static class GcPauses
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The markdown section, or null when the trace holds no GC events of the process.</summary>
    public static string? Report(string nettracePath, int processId, TimeWindow window)
    {
        using var source = new EventPipeEventSource(nettracePath);
        source.NeedLoadedDotNetRuntimes();
        source.Process();
        var process = source.Processes().FirstOrDefault(p => p.ProcessID == processId)
            ?? source.Processes().FirstOrDefault(p => p.LoadedDotNetRuntime()?.GC.GCs.Count > 0);
        var gcs = process?.LoadedDotNetRuntime()?.GC.GCs;
        if (gcs is null || gcs.Count == 0)
        {
            return null;
        }

        // TraceEvent's times are relative to the start of the trace.
        var collections = gcs.Where(gc => gc.PauseDurationMSec > 0 && window.Contains(gc.StartRelativeMSec / 1000)).ToList();
        if (collections.Count == 0)
        {
            return null;
        }

        var seconds = Math.Max(0.001, (collections.Max(gc => gc.StartRelativeMSec) - collections.Min(gc => gc.StartRelativeMSec)) / 1000);
        var md = new StringBuilder();
        md.Append("## Garbage collections (runtime GC events)\n\n");
        md.Append(Inv, $"{collections.Count:N0} collections that paused the process over {seconds:0.0} s; a pause runs from the suspension of its threads to their restart. ");
        md.Append(Inv, $"**Paused {collections.Sum(gc => gc.PauseDurationMSec) / seconds:0.0} ms per second** ({collections.Sum(gc => gc.PauseDurationMSec) / seconds / 10:0.00} % of the time).\n\n");
        md.Append("| generation | collections | per s | pause p50 ms | pause p90 ms | pause max ms | paused ms per s | suspending ms (mean) | promoted KB (mean) |\n");
        md.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var group in collections.GroupBy(gc => $"gen{gc.Generation} {Kind(gc)}").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var pauses = group.Select(gc => gc.PauseDurationMSec).Order().ToList();
            md.Append(Inv, $"| {group.Key} | {group.Count():N0} | {group.Count() / seconds:0.0} | {Quantile(pauses, 0.5):0.00} | {Quantile(pauses, 0.9):0.00} | {pauses[^1]:0.00} | ");
            md.Append(Inv, $"{pauses.Sum() / seconds:0.0} | {group.Average(gc => gc.SuspendDurationMSec):0.00} | {group.Average(gc => gc.PromotedMB) * 1024:N0} |\n");
        }

        // The mark phase by root (GCMarkWithType events): a young collection that promotes little but pauses long spends
        // its time on roots, most often the older generation's cards (references from old objects to young ones).
        var marked = collections.Where(gc => gc.PerHeapMarkTimes is { Count: > 0 }).ToList();
        if (marked.Count > 0)
        {
            md.Append("\nMark phase by root, mean ms per collection (all heaps), with the handles and pinned objects the runtime reported:\n\n");
            var roots = Enum.GetValues<MarkRootType>().Where(r => r != MarkRootType.MarkMax).ToList();
            md.Append("| generation | ").Append(string.Join(" | ", roots.Select(r => r.ToString().Replace("Mark", "", StringComparison.Ordinal))));
            md.Append(" | GC handles | pinned objects |\n|---|").Append(string.Concat(roots.Select(_ => "---:|"))).Append("---:|---:|\n");
            foreach (var group in marked.GroupBy(gc => $"gen{gc.Generation} {Kind(gc)}").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                md.Append(Inv, $"| {group.Key} | ");
                foreach (var root in roots)
                {
                    // The runtime reports -1 for a root it did not time (server-GC-only roots on workstation GC).
                    var times = group.Select(gc => gc.PerHeapMarkTimes.Values.Sum(m => m.MarkTimes.Length > (int)root && m.MarkTimes[(int)root] >= 0 ? m.MarkTimes[(int)root] : double.NaN)).ToList();
                    md.Append(times.Any(double.IsNaN) ? "– | " : string.Create(Inv, $"{times.Average():0.00} | "));
                }

                md.Append(Inv, $"{group.Average(gc => (double)gc.HeapStats.GCHandleCount):N0} | {group.Average(gc => (double)gc.HeapStats.PinnedObjectCount):N0} |\n");
            }
        }

        md.Append("\nThe longest pauses:\n\n| at s | generation | reason | pause ms | suspending ms | promoted KB | heap after MB |\n|---:|---|---|---:|---:|---:|---:|\n");
        foreach (var gc in collections.OrderByDescending(gc => gc.PauseDurationMSec).Take(8))
        {
            md.Append(Inv, $"| {gc.StartRelativeMSec / 1000:0.0} | gen{gc.Generation} {Kind(gc)} | {gc.Reason} | {gc.PauseDurationMSec:0.00} | {gc.SuspendDurationMSec:0.00} | ");
            md.Append(Inv, $"{gc.PromotedMB * 1024:N0} | {gc.HeapSizeAfterMB:0.0} |\n");
        }

        md.Append('\n');
        return md.ToString();
    }

    private static string Kind(TraceGC gc) => gc.Type switch
    {
        GCType.BackgroundGC => "background",
        GCType.ForegroundGC => "foreground",
        _ => "blocking",
    };

    private static double Quantile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
