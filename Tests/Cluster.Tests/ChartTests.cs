using System.Buffers.Binary;
using OrleansChat.Bench.Charts;
using SkiaSharp;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// bench/Charts draws a timeline as PNG files of the promised size, and refuses a file that is not a timeline with a
/// plain message. No cluster: in no collection, so it runs beside none of the cluster fixtures.
/// </summary>
public sealed class ChartTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string directory = Directory.CreateTempSubdirectory("chart-tests-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void ATimelineWithAFaultAGapAndTwoProcessesBecomesTwoPngsOfTheRequestedSize()
    {
        var path = Path.Combine(directory, "s6.json");
        File.WriteAllText(path, SyntheticTimeline);
        var timeline = TimelineReader.Read(path);

        var written = ChartWriter.Write(timeline, Path.Combine(directory, "charts", "s6"));

        Assert.Equal([Path.Combine(directory, "charts", "s6-latency.png"), Path.Combine(directory, "charts", "s6-memory.png")], written);
        foreach (var png in written)
        {
            AssertPng(png, ChartWriter.Width, ChartWriter.Height);
            AssertTitleIsDrawn(png);
        }
    }

    [Fact]
    public void ATimelineWithoutMemorySamplesGetsOnlyTheLatencyChart()
    {
        var timeline = new Timeline("one second", "S6", [new TimelineSecond(0, 0, null, null, null, 0)], [], null);

        var written = ChartWriter.Write(timeline, Path.Combine(directory, "short"));

        var png = Assert.Single(written);
        Assert.EndsWith("short-latency.png", png, StringComparison.Ordinal);
        AssertPng(png, ChartWriter.Width, ChartWriter.Height);
        Assert.False(File.Exists(Path.Combine(directory, "short-memory.png")));
    }

    [Fact]
    public void AnHourLongRunIsDrawn()
    {
        var seconds = Enumerable.Range(0, 3600).Select(t => new TimelineSecond(t, 1000 + (t % 7), 1.2, t % 600 == 0 ? null : 3.4, 9, 0)).ToList();
        var memory = Enumerable.Range(0, 360).Select(i => new MemorySample(i * 10, "silo1", 100 + (i * 0.1), 40, 40, 12)).ToList();
        var timeline = new Timeline("an hour", "S7", seconds, [new TimelineFault("kill -9 silo1", 1800, null)], memory);

        var written = ChartWriter.Write(timeline, Path.Combine(directory, "hour"));

        Assert.Equal(2, written.Count);
        Assert.All(written, png => AssertPng(png, ChartWriter.Width, ChartWriter.Height));
    }

    [Fact]
    public void AMalformedFileIsRefusedWithAMessageNamingTheFileAndThePlace()
    {
        var path = Path.Combine(directory, "broken.json");
        File.WriteAllText(path, "{\n  \"seconds\": [ { \"t\": 1, \"deliveries\": \"many\" } ]\n}");

        var error = Assert.Throws<TimelineFormatException>(() => TimelineReader.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a timeline", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.seconds[0].deliveries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsRefusedWithAMessage()
    {
        var path = Path.Combine(directory, "absent.json");

        var error = Assert.Throws<TimelineFormatException>(() => TimelineReader.Read(path));

        Assert.StartsWith($"cannot read timeline '{path}'", error.Message, StringComparison.Ordinal);
    }

    // The title is dark text centred in the top band; with no usable font SkiaSharp draws nothing there at all.
    private static void AssertTitleIsDrawn(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        var dark = 0;
        for (var y = 5; y < 40; y++)
        {
            for (var x = 200; x < 1100; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                dark += pixel.Red < 80 && pixel.Green < 80 && pixel.Blue < 80 ? 1 : 0;
            }
        }

        Assert.True(dark > 200, $"{path}: only {dark} dark pixels where the title should be");
    }

    private static void AssertPng(string path, int width, int height)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is too short for a PNG ({bytes.Length} bytes)");
        Assert.Equal(PngSignature, bytes[..8]);

        // The first chunk is IHDR: length (4 bytes), type, then width and height as big-endian 32-bit integers.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    // Ten seconds with a fault at 4 s (recovered at 6.5 s), a second without deliveries (null latencies), and memory
    // samples of a silo and of redis (no managed heap, no threads).
    private const string SyntheticTimeline = """
        {
          "title": "S6 faults under load — test",
          "scenario": "S6",
          "seconds": [
            { "t": 0, "deliveries": 100, "p50Ms": 1.1, "p99Ms": 3.0, "maxMs": 9.0, "errors": 0 },
            { "t": 1, "deliveries": 110, "p50Ms": 1.2, "p99Ms": 3.1, "maxMs": 8.0, "errors": 0 },
            { "t": 2, "deliveries": 105, "p50Ms": 1.0, "p99Ms": 2.9, "maxMs": 7.0, "errors": 0 },
            { "t": 3, "deliveries": 98, "p50Ms": 1.3, "p99Ms": 3.3, "maxMs": 9.5, "errors": 0 },
            { "t": 4, "deliveries": 20, "p50Ms": 40.0, "p99Ms": 900.0, "maxMs": 1500.0, "errors": 3 },
            { "t": 5, "deliveries": 0, "p50Ms": null, "p99Ms": null, "maxMs": null, "errors": 7 },
            { "t": 6, "deliveries": 60, "p50Ms": 5.0, "p99Ms": 120.0, "maxMs": 300.0, "errors": 1 },
            { "t": 7, "deliveries": 104, "p50Ms": 1.2, "p99Ms": 3.2, "maxMs": 8.0, "errors": 0 },
            { "t": 8, "deliveries": 101, "p50Ms": 1.1, "p99Ms": 3.0, "maxMs": 8.5, "errors": 0 },
            { "t": 9, "deliveries": 99, "p50Ms": 1.2, "p99Ms": 3.1, "maxMs": 7.5, "errors": 0 }
          ],
          "faults": [ { "name": "kill -9 silo1", "at": 4.0, "recoveredAt": 6.5 } ],
          "memory": [
            { "t": 0, "process": "silo1", "rssMb": 120.5, "heapMb": 40.1, "threads": 40, "sockets": 12 },
            { "t": 0, "process": "redis", "rssMb": 12.0, "heapMb": null, "threads": null, "sockets": 20 },
            { "t": 5, "process": "silo1", "rssMb": 125.0, "heapMb": 44.0, "threads": 42, "sockets": 13 },
            { "t": 5, "process": "redis", "rssMb": 12.5, "heapMb": null, "threads": null, "sockets": null },
            { "t": 9, "process": "silo1", "rssMb": 123.0, "heapMb": 41.5, "threads": 41, "sockets": 12 },
            { "t": 9, "process": "redis", "rssMb": 12.4, "heapMb": null, "threads": null, "sockets": 21 }
          ]
        }
        """;
}
