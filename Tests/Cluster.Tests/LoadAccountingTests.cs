using System.Diagnostics;
using OrleansChat.Bench;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The benchmark's loss accounting, without sockets: chunks are fed to the receivers as their transports would. A
/// chunk missing before a later one of the same sender was skipped; one missing after the last that arrived is still
/// on its way (late when the drain ends), which is what an overloaded step looks like.
/// </summary>
public sealed class LoadAccountingTests
{
    [Fact]
    public async Task MissingChunksNewerThanTheLastArrivalCountAsLateAndEarlierOnesAsSkipped()
    {
        var options = new LoadOptions { Rooms = 1, ClientsPerRoom = 3, Steps = [new LoadStep(TypistsPerRoom: 1, ChunksPerSecond: 10)] };
        await using var run = new LoadRun(options);
        var typist = run.Clients[0];
        var skipping = run.Clients[1];
        var behind = run.Clients[2];
        typist.OnWelcomeHistory("typist", [], reconnected: false, arrivedAt: Stopwatch.GetTimestamp());
        for (var i = 0; i < 5; i++)
        {
            typist.Chunks.Add(Stopwatch.GetTimestamp(), step: 0, inWindow: true);
        }

        foreach (var seq in new long[] { 1, 2, 4 })
        {
            skipping.OnChunk("typist", seq, roomSeq: 0, Stopwatch.GetTimestamp());
        }

        foreach (var seq in new long[] { 1, 2 })
        {
            behind.OnChunk("typist", seq, roomSeq: 0, Stopwatch.GetTimestamp());
        }

        // 3 was skipped (4 came after it), 5 is late.
        Assert.Equal(1, skipping.MissingButNewest(step: 0));
        // 3, 4 and 5 are all newer than the last that arrived.
        Assert.Equal(3, behind.MissingButNewest(step: 0));
        // A sender does not wait for its own chunks.
        Assert.Equal(0, typist.MissingButNewest(step: 0));
    }
}
