using OrleansChat.Bench;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The load tool reads a step's percentiles while its clients may still be recording deliveries (a fault run's
/// clients keep receiving while the step is evaluated). No cluster: in no collection.
/// </summary>
public sealed class LatencyHistogramTests
{
    [Fact]
    public async Task PercentilesCanBeReadWhileOtherThreadsRecord()
    {
        var histogram = new LatencyHistogram();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(writer => Task.Run(() =>
        {
            long recorded = 0;
            var value = 1L + writer;
            while (!stop.IsCancellationRequested)
            {
                // Values spread over many buckets, so a write lands in the middle of an enumeration.
                histogram.Record(value);
                value = value * 7 % 5_000_000 + 1;
                recorded++;
            }

            return recorded;
        })).ToArray();

        var reads = 0;
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline || reads < 50)
        {
            var percentiles = histogram.Percentiles();
            Assert.True(percentiles.P50 <= percentiles.P99 && percentiles.P99 <= percentiles.Max);
            reads++;
        }

        await stop.CancelAsync();
        var total = (await Task.WhenAll(writers)).Sum();
        Assert.Equal(total, histogram.Count);
        Assert.Equal(total, histogram.Percentiles().Count);
    }
}
