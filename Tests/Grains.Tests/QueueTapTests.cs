using Orleans.Runtime;
using OrleansChat.Grains.Streaming;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// Reads of a stream queue beside its pulling agent (<see cref="IWaitingQueueGrain.Tap"/>): what a WebFront with
/// <c>Chat:Relay:Source=QueueTap</c> relays from (on a 2-silo cluster).
/// </summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class QueueTapTests(DefaultLimitsClusterFixture cluster)
{
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CoarseTimerSlack = TimeSpan.FromMilliseconds(5);

    private IWaitingQueueGrain NewQueue() => cluster.Client.GetGrain<IWaitingQueueGrain>("test/" + Guid.NewGuid().ToString("N"));

    private static ChatQueueBatch Batch(string text, string room = "room") =>
        new(StreamId.Create("test-stream", room), [text], null, null);

    /// <summary>A batch queued after <paramref name="last"/> comes to the tap's next read, with nothing missed.</summary>
    private static async Task AssertReadsOnWithoutMissing(IWaitingQueueGrain queue, QueueTapRead last, string text)
    {
        await queue.Enqueue(Batch(text));
        var next = await queue.Tap(last.Epoch, last.Through, 100, LongWait).WaitAsync(Soon);
        Assert.False(next.Missed);
        Assert.Equal([text], Texts(next));
    }

    private static List<string> Texts(QueueTapRead read) => [.. read.Batches.Select(b => b.GetEvents<string>().Single().Item1)];

    [Fact]
    public async Task ANewTapStartsAtTheEndThenGetsEveryLaterBatchInOrder()
    {
        var queue = NewQueue();
        await queue.Enqueue(Batch("before the tap"));

        var start = await queue.Tap(Guid.Empty, 0, 100, LongWait).WaitAsync(Soon); // does not wait
        Assert.NotEqual(Guid.Empty, start.Epoch);
        Assert.Empty(start.Batches);
        Assert.False(start.Missed);

        await queue.Enqueue(Batch("a", "room-1"));
        await queue.Enqueue(Batch("b", "room-2"));
        await queue.Enqueue(Batch("c", "room-1"));
        var first = await queue.Tap(start.Epoch, start.Through, 2, LongWait).WaitAsync(Soon);
        var second = await queue.Tap(first.Epoch, first.Through, 2, LongWait).WaitAsync(Soon);

        Assert.Equal(["a", "b"], Texts(first));
        Assert.Equal(["c"], Texts(second));
        Assert.False(first.Missed || second.Missed);
        Assert.Equal(start.Epoch, second.Epoch);
        Assert.Equal(second.Batches[^1].Token!.SequenceNumber, second.Through);
    }

    [Fact]
    public async Task AWaitingTapGetsABatchTheMomentItIsQueuedAndAWaitThatEndsReturnsNothing()
    {
        var queue = NewQueue();
        var start = await queue.Tap(Guid.Empty, 0, 100, LongWait);

        var read = queue.Tap(start.Epoch, start.Through, 100, LongWait);
        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(500))); // nothing queued: still waiting
        await queue.Enqueue(Batch("hello"));
        Assert.Equal(["hello"], Texts(await read.WaitAsync(Soon)));

        var empty = await queue.Tap(start.Epoch, (await read).Through, 100, TimeSpan.FromMilliseconds(200)).WaitAsync(Soon);
        Assert.Empty(empty.Batches);
        Assert.Equal((await read).Through, empty.Through);
    }

    [Fact]
    public async Task AnIdleTapWaitsOutEveryReadNotJustTheFirst()
    {
        var queue = NewQueue();
        var tap = Guid.NewGuid();
        var read = await queue.TapAs(tap, Guid.Empty, 0, 100, TimeSpan.Zero);
        var wait = TimeSpan.FromMilliseconds(300);

        // Reads that find nothing each last their wait (an idle WebFront reads once per wait, not more often).
        for (var i = 0; i < 3; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            read = await queue.TapAs(tap, read.Epoch, read.Through, 100, wait).WaitAsync(Soon);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Assert.Empty(read.Batches);
            Assert.True(elapsed >= wait - CoarseTimerSlack, $"read {i + 1} returned after {elapsed.TotalMilliseconds:0} ms, before its {wait.TotalMilliseconds:0} ms wait");
        }
    }

    [Fact]
    public async Task AShortWaitThatStartsAfterALongOneStillEndsOnTime()
    {
        // One clock per queue, set for the earliest deadline: a shorter wait must bring it forward.
        var queue = NewQueue();
        var start = await queue.TapAs(Guid.NewGuid(), Guid.Empty, 0, 100, TimeSpan.Zero);
        var longRead = queue.TapAs(Guid.NewGuid(), start.Epoch, start.Through, 100, LongWait);
        Assert.NotSame(longRead, await Task.WhenAny(longRead, Task.Delay(300))); // the clock is set for 20 s

        var wait = TimeSpan.FromMilliseconds(300);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var shortRead = await queue.TapAs(Guid.NewGuid(), start.Epoch, start.Through, 100, wait).WaitAsync(Soon);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Assert.Empty(shortRead.Batches);
        Assert.True(elapsed >= wait - CoarseTimerSlack, $"the short read returned after {elapsed.TotalMilliseconds:0} ms");

        // The waits share one end (the long one gets an empty answer and reads again), and the next long wait is a
        // long one again: the clock set for the short deadline does not end it.
        Assert.Empty((await longRead.WaitAsync(Soon)).Batches);
        var again = queue.TapAs(Guid.NewGuid(), start.Epoch, start.Through, 100, LongWait);
        Assert.NotSame(again, await Task.WhenAny(again, Task.Delay(1_000)));
        await queue.Enqueue(Batch("after the waits"));
        Assert.Equal(["after the waits"], Texts(await again.WaitAsync(Soon)));
    }

    [Fact]
    public async Task TapsAndThePullingAgentEachGetEveryBatchWithoutTakingAnythingFromTheOthers()
    {
        var queue = NewQueue();
        var tap1 = await queue.Tap(Guid.Empty, 0, 100, TimeSpan.Zero);
        var tap2 = await queue.Tap(Guid.Empty, 0, 100, TimeSpan.Zero);

        // Two taps wait at once (two WebFronts): one batch wakes both.
        var waiting1 = queue.Tap(tap1.Epoch, tap1.Through, 100, LongWait);
        var waiting2 = queue.Tap(tap2.Epoch, tap2.Through, 100, LongWait);
        await Task.Delay(200);
        await queue.Enqueue(Batch("a"));
        Assert.Equal(["a"], Texts(await waiting1.WaitAsync(Soon)));
        Assert.Equal(["a"], Texts(await waiting2.WaitAsync(Soon)));

        // The agent reads and confirms it all; the taps still read from their own cursors.
        await queue.Enqueue(Batch("b"));
        var agent = await queue.Dequeue(100, TimeSpan.Zero, 0);
        Assert.Equal(2, agent.Count);
        Assert.Empty(await queue.Dequeue(100, TimeSpan.Zero, agent[^1].Token!.SequenceNumber));
        Assert.Equal(["b"], Texts(await queue.Tap(tap1.Epoch, (await waiting1).Through, 100, TimeSpan.Zero)));
        Assert.Equal(["b"], Texts(await queue.Tap(tap2.Epoch, (await waiting2).Through, 100, TimeSpan.Zero)));
    }

    [Fact]
    public async Task ATapOfAnotherActivationIsToldItMayHaveMissedSomeAndGetsAllThisOneHolds()
    {
        var queue = NewQueue();
        await queue.Enqueue(Batch("a"));
        await queue.Enqueue(Batch("b"));

        // A cursor of an activation that is gone (its silo died): everything here may be news.
        var read = await queue.Tap(Guid.NewGuid(), 12345, 100, LongWait).WaitAsync(Soon);
        Assert.True(read.Missed);
        Assert.Equal(["a", "b"], Texts(read));

        // From there on it is an ordinary tap of this activation.
        await AssertReadsOnWithoutMissing(queue, read, "c");
    }

    [Fact]
    public async Task ATapThatFellFurtherBehindThanTheQueueKeepsIsToldItMissedSome()
    {
        var queue = NewQueue();
        var start = await queue.Tap(Guid.Empty, 0, 100, TimeSpan.Zero);

        // More batches than the queue keeps for taps; the agent takes them as they come (else the queue would fill).
        var total = WaitingQueueGrain.TapRetained + 10;
        for (var sent = 0; sent < total; sent += 500)
        {
            await Task.WhenAll(Enumerable.Range(sent, Math.Min(500, total - sent)).Select(i => queue.Enqueue(Batch(i.ToString(), "room-" + (i % 8)))));
            var taken = await queue.Dequeue(-1, TimeSpan.Zero, 0);
            await queue.Dequeue(0, TimeSpan.Zero, taken[^1].Token!.SequenceNumber);
        }

        var late = await queue.Tap(start.Epoch, start.Through, int.MaxValue, LongWait).WaitAsync(Soon);
        Assert.True(late.Missed);
        Assert.Equal(WaitingQueueGrain.TapRetained, late.Batches.Count);

        // Caught up: nothing more is missed.
        await AssertReadsOnWithoutMissing(queue, late, "next");
    }

    [Fact]
    public async Task AQueueThatMovesToItsAgentsSiloKeepsItsTapsCursors()
    {
        var queue = NewQueue();
        var tap = await queue.Tap(Guid.Empty, 0, 100, TimeSpan.Zero);
        await queue.Enqueue(Batch("a"));
        var home = await queue.Location();
        var hosts = await cluster.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var reader = Assert.Single(hosts.Keys, silo => !silo.Equals(home));

        // Two reads in a row from the other silo's agent move the queue there.
        await queue.DequeueFor(10, TimeSpan.Zero, 0, reader);
        await queue.DequeueFor(10, TimeSpan.Zero, 0, reader);
        var deadline = DateTime.UtcNow + Soon;
        QueueTapRead read;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the tap never got an answer from the moved queue");
            read = await queue.Tap(tap.Epoch, tap.Through, 100, TimeSpan.Zero); // "moving" while it moves
        }
        while (read.Moving || !reader.Equals(await queue.Location()));

        // The same activation as far as the tap can tell: nothing missed, the batch once.
        Assert.False(read.Missed);
        Assert.Equal(tap.Epoch, read.Epoch);
        Assert.Equal(["a"], Texts(read));
        await queue.Enqueue(Batch("b"));
        Assert.Equal(["b"], Texts(await queue.Tap(read.Epoch, read.Through, 100, LongWait).WaitAsync(Soon)));
    }

    [Fact]
    public async Task WhileTapsReadAQueueItsAgentReadsBehindThemAndStillGetsEveryBatch()
    {
        var queue = NewQueue();
        await queue.Tap(Guid.Empty, 0, 100, TimeSpan.Zero); // a WebFront taps this queue
        await queue.Enqueue(Batch("a"));
        await queue.Enqueue(Batch("b"));

        // The agent's read does not return the moment it finds batches: the taps deliver them, the agent takes them
        // (and whatever queues meanwhile) a little later, in one read.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var read = await queue.Dequeue(100, LongWait, 0).WaitAsync(Soon);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        Assert.Equal(["a", "b"], read.Select(b => b.GetEvents<string>().Single().Item1));
        // Timers run on the coarse monotonic clock (4 ms ticks on Linux), so the lag may end up to a tick early by
        // the stopwatch; without the lag this read returns in well under 10 ms.
        Assert.True(elapsed >= WaitingQueueGrain.AgentLagWithTaps - CoarseTimerSlack, $"the agent's read returned after {elapsed.TotalMilliseconds:0.0} ms");

        // Nothing is lost to the lag: what it read stays until it confirms it, then the queue is empty for it.
        Assert.Empty(await queue.Dequeue(100, TimeSpan.Zero, read[^1].Token!.SequenceNumber).WaitAsync(Soon));
    }

    [Fact]
    public async Task ABatchEveryNamedTapHasReadPastIsLetGoAndTheTapsReadOnWithoutMissingAnything()
    {
        var (queue, a, startA, b, startB) = await TwoNamedTapsAsync();
        await queue.Enqueue(Batch("x"));
        await queue.Enqueue(Batch("y"));

        // A has read both and asked again; B has not read them: they stay for B.
        var readA = await queue.TapAs(a, startA.Epoch, startA.Through, 100, TimeSpan.Zero);
        Assert.Equal(["x", "y"], Texts(readA));
        await queue.TapAs(a, readA.Epoch, readA.Through, 100, TimeSpan.Zero);
        Assert.Equal(new QueueTapState(2, 2, false), await queue.TapState());

        // B reads them and asks again: nobody lacks them now.
        var readB = await queue.TapAs(b, startB.Epoch, startB.Through, 100, TimeSpan.Zero);
        Assert.Equal(["x", "y"], Texts(readB));
        var waitingB = queue.TapAs(b, readB.Epoch, readB.Through, 100, LongWait);
        var waitingA = queue.TapAs(a, readA.Epoch, readA.Through, 100, LongWait);
        await AssertEventually(async () => (await queue.TapState()).Retained == 0, "the batches both taps had were not let go");

        // Both read on from there, nothing missed.
        await queue.Enqueue(Batch("z"));
        var nextA = await waitingA.WaitAsync(Soon);
        var nextB = await waitingB.WaitAsync(Soon);
        Assert.Equal(["z"], Texts(nextA));
        Assert.Equal(["z"], Texts(nextB));
        Assert.False(nextA.Missed || nextB.Missed);
    }

    [Fact]
    public async Task ANamedTapThatStopsReadingIsForgottenAndToldWhatItMissedWhenItComesBack()
    {
        var (queue, reading, live, silent, gone) = await TwoNamedTapsAsync();
        await queue.Enqueue(Batch("a"));

        // The silent tap holds "a" until it is forgotten; the live one keeps reading meanwhile.
        var deadline = DateTime.UtcNow + WaitingQueueGrain.TapForgottenAfter + Soon;
        QueueTapState state;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the silent tap was never forgotten");
            live = await queue.TapAs(reading, live.Epoch, live.Through, 100, TimeSpan.FromMilliseconds(200));
            state = await queue.TapState();
        }
        while (state.NamedTaps > 1);
        Assert.Equal(new QueueTapState(0, 1, false), state);

        // Back with its old cursor: what it lacked is gone, and it is told so.
        var back = await queue.TapAs(silent, gone.Epoch, gone.Through, 100, LongWait).WaitAsync(Soon);
        Assert.True(back.Missed);
        Assert.Empty(back.Batches);
        await queue.Enqueue(Batch("b"));
        var next = await queue.TapAs(silent, back.Epoch, back.Through, 100, LongWait).WaitAsync(Soon);
        Assert.Equal(["b"], Texts(next));
        Assert.False(next.Missed);
    }

    [Fact]
    public async Task WhileAnonymousTapsReadTheQueueKeepsItsLastBatchesForThemAsBefore()
    {
        var queue = NewQueue();
        var tap = Guid.NewGuid();
        var named = await queue.TapAs(tap, Guid.Empty, 0, 100, TimeSpan.Zero);
        var anonymous = await queue.Tap(Guid.Empty, 0, 100, TimeSpan.Zero); // a WebFront of the previous version
        await queue.Enqueue(Batch("a"));
        var read = await queue.TapAs(tap, named.Epoch, named.Through, 100, TimeSpan.Zero);
        Assert.Equal(["a"], Texts(read));
        await queue.TapAs(tap, read.Epoch, read.Through, 100, TimeSpan.Zero); // the named tap is past "a"

        Assert.Equal(new QueueTapState(1, 1, true), await queue.TapState());
        Assert.Equal(["a"], Texts(await queue.Tap(anonymous.Epoch, anonymous.Through, 100, TimeSpan.Zero)));
    }

    /// <summary>A new queue and two named taps (two WebFronts) at its start.</summary>
    private async Task<(IWaitingQueueGrain Queue, Guid A, QueueTapRead StartA, Guid B, QueueTapRead StartB)> TwoNamedTapsAsync()
    {
        var queue = NewQueue();
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        var startA = await queue.TapAs(a, Guid.Empty, 0, 100, TimeSpan.Zero);
        var startB = await queue.TapAs(b, Guid.Empty, 0, 100, TimeSpan.Zero);
        return (queue, a, startA, b, startB);
    }

    private static async Task AssertEventually(Func<Task<bool>> condition, string message)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            await Task.Delay(20);
        }
    }
}
