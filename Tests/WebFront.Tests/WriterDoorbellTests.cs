using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>The writer's doorbell on its own: kept rings, wake-ups, closing, cancellation, and no lost ring under races.</summary>
public sealed class WriterDoorbellTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RingsWhileNobodyWaitsAreKeptAsOne()
    {
        var doorbell = new WriterDoorbell();
        doorbell.Ring();
        doorbell.Ring();

        var first = doorbell.WaitAsync(CancellationToken.None);
        Assert.True(first.IsCompletedSuccessfully, "a kept ring ends the wait at once");
        Assert.True(await first);

        var second = doorbell.WaitAsync(CancellationToken.None);
        Assert.False(second.IsCompleted, "two rings before a wait are one");
        doorbell.Ring();
        Assert.True(await second.AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task AParkedWriterIsWokenOnAnotherThreadThanTheRingers()
    {
        // A room feed rings many sockets' writers in turn: it must not run their sends itself.
        var doorbell = new WriterDoorbell();
        var waiting = WaitThenTellThread(doorbell);
        var ringer = new Thread(doorbell.Ring);
        ringer.Start();
        ringer.Join();

        var woken = await waiting.WaitAsync(Patience);
        Assert.NotSame(ringer, woken);
    }

    [Fact]
    public async Task ClosingEndsAParkedWaitAndEveryLaterOneWithFalse()
    {
        var doorbell = new WriterDoorbell();
        var parked = doorbell.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(parked.IsCompleted);

        doorbell.Close();
        Assert.False(await parked.WaitAsync(Patience));
        doorbell.Ring();
        Assert.False(await doorbell.WaitAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ACanceledWaitThrowsAndTheDoorbellStillWorksAfter()
    {
        var doorbell = new WriterDoorbell();
        using var cancel = new CancellationTokenSource();
        var parked = doorbell.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => parked.WaitAsync(Patience));

        Assert.True(doorbell.WaitAsync(cancel.Token).IsCanceled, "a wait with a canceled token ends at once");

        var next = doorbell.WaitAsync(CancellationToken.None);
        doorbell.Ring();
        Assert.True(await next.AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task NoRingIsLostWhileManyThreadsRingAndTheWriterParksBetween()
    {
        // Like the outbox: a ringer publishes its work first, then rings; the writer takes all it sees, then waits.
        // If any ring were lost, the writer would park for good with work left (the wait below would time out).
        const int Ringers = 4;
        const int RingsEach = 20_000;
        var doorbell = new WriterDoorbell();
        long published = 0;
        long taken = 0;
        using var cancel = new CancellationTokenSource(Patience * 3);

        var writer = Task.Run(async () =>
        {
            while (Interlocked.Read(ref taken) < Ringers * RingsEach)
            {
                await doorbell.WaitAsync(cancel.Token);
                Interlocked.Exchange(ref taken, Interlocked.Read(ref published));
            }
        });
        var ringers = Enumerable.Range(0, Ringers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < RingsEach; i++)
            {
                Interlocked.Increment(ref published);
                doorbell.Ring();
            }
        })).ToArray();

        await Task.WhenAll(ringers);
        await writer;
        Assert.Equal(Ringers * RingsEach, Interlocked.Read(ref taken));
    }

    private static async Task<Thread> WaitThenTellThread(WriterDoorbell doorbell)
    {
        // Without the test framework's synchronization context, which would move the continuation anyway.
        Assert.True(await doorbell.WaitAsync(CancellationToken.None).ConfigureAwait(false));
        return Thread.CurrentThread;
    }
}
