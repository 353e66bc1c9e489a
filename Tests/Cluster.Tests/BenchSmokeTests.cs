using OrleansChat.Bench;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The benchmark's smallest scenario (bench/ChatLoad's engine, in-process) against two WebFronts of one cluster:
/// a typist on one WebFront, receivers on both. It checks delivery only, never timings (those belong in
/// bench/results, measured on a quiet machine).
/// </summary>
[Collection(TwoSiloClusterCollection.Name)]
public sealed class BenchSmokeTests(TwoSiloClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task TheSmallestBenchmarkScenarioLosesDuplicatesAndReordersNothingAcrossWebFronts()
    {
        var options = new LoadOptions
        {
            Scenario = "smoke",
            Mode = "test cluster",
            Endpoints = [new("webfront-0", fixture.WebFront1.SocketUri), new("webfront-1", fixture.WebFront2.SocketUri)],
            Rooms = 1,
            ClientsPerRoom = 4,
            Steps = [new LoadStep(TypistsPerRoom: 1, ChunksPerSecond: 10)],
            CommitInterval = TimeSpan.FromSeconds(1),
            Warmup = TimeSpan.FromSeconds(0.5),
            Duration = TimeSpan.FromSeconds(3),
            // A busy CI machine may be slow; the run ends as soon as everything arrived.
            Drain = TimeSpan.FromSeconds(20),
        };

        LoadReport report;
        await using (var run = new LoadRun(options, output.WriteLine))
        {
            report = await run.RunAsync();
        }

        output.WriteLine(MarkdownReport.Render([report]));
        Assert.Equal(4, report.Connect.Connected);
        var step = Assert.Single(report.Steps);
        Assert.True(step.ChunksSent > 0, "the typist sent chunks");
        Assert.True(step.CommitsSent > 0, "the typist committed");
        Assert.True(step.CrossWebFrontLatency.Count > 0, "some receivers sat on the other WebFront");
        Assert.Equal(step.ExpectedDeliveries, step.Delivered);
        Assert.Equal(0, step.Lost);
        Assert.Equal(0, step.Duplicated);
        Assert.Equal(0, step.OutOfOrder);
        Assert.Equal(0, step.LostCommits);
        Assert.Equal(0, step.DuplicatedCommits);
        Assert.Equal(0, step.UnconfirmedCommits);
        Assert.Equal(0, step.Resyncs);
        Assert.Empty(step.Errors);
    }
}
