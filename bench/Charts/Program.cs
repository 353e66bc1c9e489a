using OrleansChat.Bench.Charts;

// ChatCharts <timeline.json> <output-prefix>: draws a run's timeline as PNG charts (bench/README.md, "Charts").
if (args.Length != 2 || args[0] is "-h" or "--help")
{
    await Console.Error.WriteLineAsync("usage: ChatCharts <timeline.json> <output-prefix>\n  writes <output-prefix>-latency.png and, when the timeline has memory samples, <output-prefix>-memory.png");
    return 2;
}

Timeline timeline;
try
{
    timeline = TimelineReader.Read(args[0]);
}
catch (TimelineFormatException e)
{
    await Console.Error.WriteLineAsync($"ChatCharts: {e.Message}");
    return 2;
}

try
{
    foreach (var path in ChartWriter.Write(timeline, args[1]))
    {
        Console.WriteLine(path);
    }
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"ChatCharts: cannot write the charts to '{args[1]}': {e.Message}");
    return 1;
}

return 0;
