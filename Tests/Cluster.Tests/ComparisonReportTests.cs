using OrleansChat.Bench;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The headline table of bench/run.sh: a value per mode and figure, and each OrleansChat mode as a ratio to the
/// peers. A repeated run (ROUNDS) shows medians and pairs each round with the peer's same round. No cluster: reports
/// are built here, in no collection.
/// </summary>
public sealed class ComparisonReportTests
{
    [Fact]
    public void OneRoundShowsEachValueAndItsRatioAndCountsTheRowsAtOrBetter()
    {
        var markdown = ComparisonReport.Render(
        [
            Report("S2", "cluster-cohosted", 1, p99: 8, cpu: 44),
            Report("S2", "signalr-redis", 1, p99: 16, cpu: 40, peer: true),
        ]);

        Assert.Contains("| S2 p99 (ms) | 8.0 | 16.0 | 0.50× SignalR |", markdown);
        Assert.Contains("| S2 server CPU per delivery (µs) | 44 | 40 | 1.10× SignalR |", markdown);
        Assert.Contains("- cluster-cohosted: at or better than signalr-redis on 1 of 2 rows.", markdown);
        Assert.DoesNotContain("round", markdown);
    }

    [Fact]
    public void RoundsShowMediansWithTheirRangeAndRatiosOfTheSameRound()
    {
        // Round 2 was slow for both modes: paired with the peer's same round its ratio is 0.9 (18 ÷ 20), and the median
        // of the rounds' ratios (0.9) differs from the ratio of the medians (11 ÷ 10).
        var markdown = ComparisonReport.Render(
        [
            Report("S2", "cluster-cohosted", 1, p99: 9, cpu: 36),
            Report("S2", "signalr-redis", 1, p99: 10, cpu: 40, peer: true),
            Report("S2", "signalr-redis", 2, p99: 20, cpu: 80, peer: true),
            Report("S2", "cluster-cohosted", 2, p99: 18, cpu: 72),
            Report("S2", "cluster-cohosted", 3, p99: 11, cpu: 45),
            Report("S2", "signalr-redis", 3, p99: 10, cpu: 50, peer: true),
        ]);

        Assert.Contains("3 times", markdown);
        // cluster-cohosted's p99: 9, 18, 11 -> median 11; ratios 0.9, 0.9, 1.1 -> median 0.9, 2 of 3 at or better.
        Assert.Contains("| S2 p99 (ms) | 11.0 (9.0–18.0) | 10.0 (10.0–20.0) | 0.90× SignalR (0.90×–1.10×, at or better in 2 of 3) |", markdown);
        // CPU: 36, 72, 45 -> median 45; ratios 0.9, 0.9, 0.9.
        Assert.Contains("| S2 server CPU per delivery (µs) | 45 (36–72) | 50 (40–80) | 0.90× SignalR (0.90×–0.90×, at or better in 3 of 3) |", markdown);
        Assert.Contains("- cluster-cohosted: at or better than signalr-redis on 2 of 2 rows (median of the rounds' ratios).", markdown);
    }

    [Fact]
    public void TheSameS5StepHeldIsATieWhateverTheMeasuredRate()
    {
        var markdown = ComparisonReport.Render(
        [
            Capacity("cluster-cohosted", ("2x12/s", 18_672, 52), ("3x12/s", 28_009, 190)),
            Capacity("signalr-redis", ("2x12/s", 18_690, 75), ("3x12/s", 28_085, 230), peer: true),
        ]);

        Assert.Contains("| S5 capacity, p99 ≤ 100 ms and nothing lost (deliveries/s) | 18672 | 18690 | 1.00× SignalR |", markdown);
        Assert.Contains("- cluster-cohosted: at or better than signalr-redis on 1 of 1 rows.", markdown);
    }

    [Fact]
    public void AStepThatLostSomethingIsMarked()
    {
        var markdown = ComparisonReport.Render(
        [
            Report("S3", "cluster", 1, p99: 5, cpu: 150, lost: 3),
            Report("S3", "aspnet-ws", 1, p99: 2, cpu: 70, peer: true),
        ]);

        Assert.Contains("| S3 p99 (ms) | 5.0* | 2.0 | 2.5× plain |", markdown);
    }

    [Fact]
    public void MedianOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        Assert.Equal(3, ComparisonReport.Median([4, 1, 2, 9]));
        Assert.Equal(2, ComparisonReport.Median([2]));
        Assert.Throws<ArgumentException>(() => ComparisonReport.Median([]));
    }

    private static LoadReport Report(string scenario, string mode, int round, double p99, double cpu, bool peer = false, long lost = 0) =>
        Build(scenario, mode, round, peer, [Step("1x20/s", 4_000, p99, cpu, lost)]);

    private static LoadReport Capacity(string mode, (string Label, double Rate, double P99) low, (string Label, double Rate, double P99) high, bool peer = false) =>
        Build("S5", mode, 1, peer, [Step(low.Label, low.Rate, low.P99, 60), Step(high.Label, high.Rate, high.P99, 45)]);

    private static LoadReport Build(string scenario, string mode, int round, bool peer, IReadOnlyList<StepResult> steps) =>
        new(scenario, mode, DateTimeOffset.UnixEpoch, "test", 2, "shape", ["web=ws://127.0.0.1/ws"], 1, 200, 3, 30, 30,
            new ConnectResult(200, 200, 0, 0, 1, 200), [], [], steps, [], new Dictionary<string, long>(), 0, 0, null,
            peer ? "Signalr" : "OrleansChat", Round: round);

    private static StepResult Step(string label, double rate, double p99, double cpu, long lost = 0)
    {
        var latency = new Percentiles(1_000, p99 / 2, p99 / 1.5, p99, p99, p99);
        return new StepResult(label, 1, 20, 30, 1_000, 200_000, 200_000 - lost, lost, 0, 0, 0, 120_000, rate, latency, latency,
            10, 2_000, 2_000, 0, 0, 0, latency, new Dictionary<string, long>(), 0, 0, [], 1, 10, cpu, 0.5, 5, 0, 0, 0);
    }
}
