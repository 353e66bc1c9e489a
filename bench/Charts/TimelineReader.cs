using System.Text.Json;

namespace OrleansChat.Bench.Charts;

/// <summary>Reads a timeline file; every way it can fail becomes a <see cref="TimelineFormatException"/> with a plain message.</summary>
public static class TimelineReader
{
    public static Timeline Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new TimelineFormatException($"cannot read timeline '{path}': it is a directory");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TimelineFormatException($"cannot read timeline '{path}': {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    public static Timeline Parse(ReadOnlySpan<byte> json, string source)
    {
        Timeline? timeline;
        try
        {
            timeline = JsonSerializer.Deserialize(json, TimelineJsonContext.Default.Timeline);
        }
        catch (JsonException e)
        {
            var at = e.Path is { Length: > 0 } path ? $" at {path}" : "";
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1}{at})" : at;
            throw new TimelineFormatException($"'{source}' is not a timeline{where}: {FirstSentence(e.Message)}", e);
        }

        if (timeline is null)
        {
            throw new TimelineFormatException($"'{source}' is not a timeline: it holds JSON null");
        }

        Validate(timeline, source);
        return timeline;
    }

    private static void Validate(Timeline timeline, string source)
    {
        if (timeline.Seconds?.Any(s => s is null) == true || timeline.Faults?.Any(f => f is null) == true || timeline.Memory?.Any(m => m is null) == true)
        {
            throw new TimelineFormatException($"'{source}' is not a timeline: an entry of seconds, faults or memory is null");
        }

        var numbers = (timeline.Seconds ?? []).SelectMany(s => new double?[] { s.T, s.P50Ms, s.P99Ms, s.MaxMs })
            .Concat((timeline.Faults ?? []).SelectMany(f => new double?[] { f.At, f.RecoveredAt }))
            .Concat((timeline.Memory ?? []).SelectMany(m => new double?[] { m.T, m.RssMb, m.HeapMb }));
        if (numbers.Any(n => n is { } value && !double.IsFinite(value)))
        {
            throw new TimelineFormatException($"'{source}' is not a timeline: it holds a number that is not finite (NaN or Infinity)");
        }
    }

    // System.Text.Json appends the JSON path and position again; keep its first sentence, the position is given above.
    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
