using Orleans.Runtime;
using OrleansChat.Grains.Streaming;

namespace OrleansChat.Grains.Tests;

/// <summary>The stream queue whose reader waits for the next batch instead of polling (on a 2-silo cluster).</summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class WaitingQueueTests(DefaultLimitsClusterFixture cluster)
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    private IWaitingQueueGrain NewQueue() => cluster.Client.GetGrain<IWaitingQueueGrain>("test/" + Guid.NewGuid().ToString("N"));

    private static ChatQueueBatch Batch(string text, string room = "room") =>
        new(StreamId.Create("test-stream", room), [text], null, null);

    [Fact]
    public async Task AReadOnAnEmptyQueueWaitsAndGetsTheBatchTheMomentItIsQueued()
    {
        var queue = NewQueue();
        var read = queue.Dequeue(10, LongWait, 0);

        // Still waiting: nothing was queued (a polled read would have come back empty by now).
        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(500)));

        await queue.Enqueue(Batch("hello"));
        var batches = await read.WaitAsync(Soon); // long before the 20 s wait ends
        Assert.Equal("hello", Assert.Single(Assert.Single(batches).GetEvents<string>()).Item1);
    }

    [Fact]
    public async Task AWaitThatEndsWithNothingQueuedReturnsNothing()
    {
        var queue = NewQueue();
        Assert.Empty(await queue.Dequeue(10, TimeSpan.FromMilliseconds(200), 0).WaitAsync(Soon));
    }

    [Fact]
    public async Task BatchesComeOutInOrderWithGrowingSequenceTokensAtMostMaxCountAtATime()
    {
        var queue = NewQueue();
        foreach (var text in new[] { "a", "b", "c" })
        {
            await queue.Enqueue(Batch(text));
        }

        var first = await queue.Dequeue(2, LongWait, 0);
        var second = await queue.Dequeue(2, LongWait, first[^1].Token!.SequenceNumber);

        Assert.Equal(["a", "b"], first.Select(b => b.GetEvents<string>().Single().Item1));
        Assert.Equal(["c"], second.Select(b => b.GetEvents<string>().Single().Item1));
        var tokens = first.Concat(second).Select(b => b.SequenceToken).ToList();
        Assert.True(tokens[0].CompareTo(tokens[1]) < 0 && tokens[1].CompareTo(tokens[2]) < 0);
        Assert.Empty(second.Single().GetEvents<int>()); // only events of the asked type
    }

    [Fact]
    public async Task ANewerReaderEndsTheOlderOnesWaitSoABatchNeverGoesToAnAgentThatLeft()
    {
        var queue = NewQueue();
        var older = queue.Dequeue(10, LongWait, 0);
        Assert.NotSame(older, await Task.WhenAny(older, Task.Delay(200)));

        var newer = queue.Dequeue(10, LongWait, 0);
        Assert.Empty(await older.WaitAsync(Soon));

        await queue.Enqueue(Batch("for the newer"));
        Assert.Single(await newer.WaitAsync(Soon));
    }

    [Fact]
    public async Task ReleaseEndsAWaitingRead()
    {
        var queue = NewQueue();
        var read = queue.Dequeue(10, LongWait, 0);
        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(200)));
        await queue.Release();
        Assert.Empty(await read.WaitAsync(Soon));
    }

    [Fact]
    public async Task AFloodedRoomFillsOnlyItsShareOfTheQueue()
    {
        var queue = NewQueue();
        for (var i = 0; i < WaitingQueueGrain.MaxQueuedPerStream; i += 512)
        {
            await Task.WhenAll(Enumerable.Range(i, 512).Select(n => queue.Enqueue(Batch("flood " + n, "flooded"))));
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => queue.Enqueue(Batch("one too many", "flooded")));
        Assert.Contains("share", refused.Message, StringComparison.Ordinal);

        // Another room on the same queue is not affected; once the flood is read, the flooded room may publish again.
        await queue.Enqueue(Batch("hello", "quiet"));
        var takenThrough = 0L;
        while (true)
        {
            var batches = await queue.Dequeue(4_096, TimeSpan.Zero, takenThrough);
            if (batches.Count == 0)
            {
                break;
            }

            takenThrough = batches[^1].Token!.SequenceNumber;
        }

        await queue.Enqueue(Batch("after the flood", "flooded"));
    }

    [Fact]
    public async Task AFullQueueRefusesMoreAndKeepsWhatItHas()
    {
        var queue = NewQueue();
        for (var i = 0; i < WaitingQueueGrain.MaxQueued; i += 512)
        {
            // Spread over rooms: one room alone may only fill its share.
            await Task.WhenAll(Enumerable.Range(i, Math.Min(512, WaitingQueueGrain.MaxQueued - i)).Select(n => queue.Enqueue(Batch("m" + n, "room" + (n % 8)))));
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => queue.Enqueue(Batch("one too many", "room9")));
        Assert.Contains("is full", refused.Message, StringComparison.Ordinal);

        var read = 0;
        var takenThrough = 0L;
        while (read < WaitingQueueGrain.MaxQueued)
        {
            var batches = await queue.Dequeue(4_096, TimeSpan.Zero, takenThrough);
            Assert.NotEmpty(batches);
            read += batches.Count;
            takenThrough = batches[^1].Token!.SequenceNumber;
        }

        Assert.Empty(await queue.Dequeue(4_096, TimeSpan.Zero, takenThrough));

        Assert.Equal(WaitingQueueGrain.MaxQueued, read);
        await queue.Enqueue(Batch("room again"));
    }

    [Fact]
    public async Task ABatchReadByAnAgentThatStoppedBeforeAskingAgainIsReadAgainByTheNextOne()
    {
        var queue = NewQueue();
        await queue.Enqueue(Batch("a"));
        await queue.Enqueue(Batch("b"));

        // An agent reads both and stops (it drops what it read): nothing is gone.
        var dropped = await queue.Dequeue(10, LongWait, 0);
        Assert.Equal(2, dropped.Count);

        // The next agent (a new receiver: it has taken nothing) gets them again, then, asking again, only what is new.
        var again = await queue.Dequeue(10, LongWait, 0);
        Assert.Equal(["a", "b"], again.Select(b => b.GetEvents<string>().Single().Item1));
        await queue.Enqueue(Batch("c"));
        var next = await queue.Dequeue(10, LongWait, again[^1].Token!.SequenceNumber);
        Assert.Equal(["c"], next.Select(b => b.GetEvents<string>().Single().Item1));
    }

    [Fact]
    public async Task AQueueReadTwiceFromAnotherSiloMovesThereWithWhatItHolds()
    {
        var queue = NewQueue();
        await queue.Enqueue(Batch("a"));
        await queue.Enqueue(Batch("b"));
        var home = await queue.Location();
        var hosts = await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var reader = Assert.Single(hosts.Keys, silo => !silo.Equals(home));

        // A read from the silo it lives on, then one from the other silo: it stays (a stopping agent elsewhere may read once).
        await queue.DequeueFor(10, TimeSpan.Zero, 0, home);
        await queue.DequeueFor(10, TimeSpan.Zero, 0, reader);
        Assert.Equal(home, await queue.Location());

        // The second read in a row from the other silo does not wait (the queue is about to move) and moves it there.
        var read = await queue.DequeueFor(10, LongWait, 0, reader).WaitAsync(Soon);
        Assert.Equal(["a", "b"], read.Select(b => b.GetEvents<string>().Single().Item1));
        var deadline = DateTime.UtcNow + Soon;
        while (!reader.Equals(await queue.Location()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the queue did not move to its reader's silo");
            await Task.Delay(50);
        }

        // Nothing it held was lost, and the order and the sequence tokens carried over.
        var moved = await queue.Dequeue(10, TimeSpan.Zero, 0);
        Assert.Equal(["a", "b"], moved.Select(b => b.GetEvents<string>().Single().Item1));
        Assert.Equal(read.Select(b => b.Token!.SequenceNumber), moved.Select(b => b.Token!.SequenceNumber));
        await queue.Enqueue(Batch("c"));
        var next = await queue.Dequeue(10, TimeSpan.Zero, moved[^1].Token!.SequenceNumber);
        Assert.Equal("c", Assert.Single(next).GetEvents<string>().Single().Item1);
        Assert.True(next[0].Token!.SequenceNumber > moved[^1].Token!.SequenceNumber);
    }
}
