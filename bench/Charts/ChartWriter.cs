using ScottPlot;

namespace OrleansChat.Bench.Charts;

/// <summary>Writes a timeline's charts as PNG files next to each other: <c>PREFIX-latency.png</c> always, <c>PREFIX-memory.png</c> when it has memory samples.</summary>
public static class ChartWriter
{
    public const int Width = 1400;
    public const int Height = 800;

    private static readonly Lock Gate = new();

    /// <summary>Draws the charts and returns the full paths of the files written, latency first.</summary>
    public static IReadOnlyList<string> Write(Timeline timeline, string outputPrefix)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPrefix);
        EmbeddedFonts.Install();

        var prefix = Path.GetFullPath(outputPrefix);
        if (Path.GetDirectoryName(prefix) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var title = timeline.Title ?? timeline.Scenario ?? "timeline";
        var written = new List<string>();

        // ScottPlot's font cache and palettes are process-wide; one chart at a time keeps rendering predictable.
        lock (Gate)
        {
            written.Add(Save(LatencyChart.Build(timeline, title), $"{prefix}-latency.png"));
            if (timeline.Memory is { Count: > 0 })
            {
                written.Add(Save(MemoryChart.Build(timeline, $"{title} — memory"), $"{prefix}-memory.png"));
            }
        }

        return written;
    }

    private static string Save(Multiplot multiplot, string path)
    {
        multiplot.SavePng(path, Width, Height);
        return path;
    }
}
