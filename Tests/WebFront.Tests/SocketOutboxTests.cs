using System.Text;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>The per-socket outbox on its own: the welcome fence, duplicates, slow consumers and control frames.</summary>
public sealed class SocketOutboxTests
{
    private int _welcomesAsked;

    [Fact]
    public void NoEventIsQueuedBeforeTheWelcomeAndNoneTheSnapshotAlreadyHolds()
    {
        var outbox = NewOutbox(capacity: 16);
        Assert.Equal(OfferResult.Ignored, outbox.OfferEvent(1, Bytes("before join")));

        outbox.BeginWelcome();
        Assert.Equal(OfferResult.Held, outbox.OfferEvent(4, Bytes("e4")));
        Assert.Equal(OfferResult.Held, outbox.OfferEvent(5, Bytes("e5")));
        Assert.Equal(OfferResult.Held, outbox.OfferEvent(6, Bytes("e6")));
        Assert.False(outbox.TryTake(out _), "nothing goes out before the welcome");

        outbox.CompleteWelcome(Bytes("welcome@5"), 5);
        Assert.Equal(["welcome@5", "e6"], Drain(outbox));
        Assert.Equal(6, outbox.LastSeq);
        Assert.Equal(OutboxPhase.Live, outbox.Phase);
    }

    [Fact]
    public void DuplicateAndOlderEventsAreIgnored()
    {
        var outbox = LiveOutbox(capacity: 16, welcomeSeq: 10);
        Assert.Equal(OfferResult.Queued, outbox.OfferEvent(11, Bytes("e11")));
        Assert.Equal(OfferResult.Ignored, outbox.OfferEvent(11, Bytes("e11 again")));
        Assert.Equal(OfferResult.Ignored, outbox.OfferEvent(9, Bytes("e9")));
        Assert.Equal(OfferResult.Queued, outbox.OfferEvent(12, Bytes("e12")));
        Assert.Equal(["e11", "e12"], Drain(outbox));
    }

    [Fact]
    public void AResyncDropsWhatTheNewWelcomeReplacesAndKeepsWhatFollowsIt()
    {
        var outbox = LiveOutbox(capacity: 16, welcomeSeq: 1);
        outbox.OfferEvent(2, Bytes("e2"));
        outbox.OfferEvent(3, Bytes("e3"));

        Assert.True(outbox.RequestWelcome());
        Assert.True(outbox.RequestWelcome(), "a second request while one is on its way is absorbed");
        Assert.Equal(1, _welcomesAsked);
        outbox.OfferEvent(4, Bytes("e4"));
        outbox.OfferEvent(5, Bytes("e5"));
        outbox.CompleteWelcome(Bytes("welcome@4"), 4);

        Assert.Equal(["welcome@4", "e5"], Drain(outbox));
    }

    [Fact]
    public void AFullQueueDropsEventsKeepsErrorsAndAsksForAWelcomeOnlyOnceTheWriterIsThrough()
    {
        var outbox = LiveOutbox(capacity: 4, welcomeSeq: 0);
        for (var seq = 1; seq <= 4; seq++)
        {
            Assert.Equal(OfferResult.Queued, outbox.OfferEvent(seq, Bytes("e" + seq)));
        }

        Assert.True(outbox.OfferControl(Bytes("error")));
        Assert.Equal(OfferResult.Dropped, outbox.OfferEvent(5, Bytes("e5")));
        Assert.Equal(OutboxPhase.Behind, outbox.Phase);
        Assert.Equal(OfferResult.Dropped, outbox.OfferEvent(6, Bytes("e6")));
        Assert.Equal(0, _welcomesAsked);

        // The writer gets through: the error is still there, then the outbox asks for a fresh welcome.
        Assert.Equal(["error"], Drain(outbox));
        Assert.Equal(1, _welcomesAsked);
        Assert.Equal(OutboxPhase.AwaitingWelcome, outbox.Phase);
        outbox.OfferEvent(7, Bytes("e7"));
        outbox.CompleteWelcome(Bytes("welcome@6"), 6);
        Assert.Equal(["welcome@6", "e7"], Drain(outbox));
        Assert.True(outbox.DroppedEvents >= 6, $"dropped {outbox.DroppedEvents}");
    }

    [Fact]
    public void EventsLostWhileWaitingForAWelcomeThatTurnsOutOlderAskForAnother()
    {
        var outbox = NewOutbox(capacity: 2);
        outbox.BeginWelcome();
        outbox.OfferEvent(11, Bytes("e11"));
        outbox.OfferEvent(12, Bytes("e12"));
        Assert.Equal(OfferResult.Dropped, outbox.OfferEvent(13, Bytes("e13")));

        outbox.CompleteWelcome(Bytes("welcome@10"), 10);
        Assert.Equal(1, _welcomesAsked);
        Assert.Equal(OutboxPhase.AwaitingWelcome, outbox.Phase);
        outbox.CompleteWelcome(Bytes("welcome@13"), 13);
        Assert.Equal(["welcome@13"], Drain(outbox));
    }

    [Fact]
    public void ControlFramesAreBounded()
    {
        var outbox = NewOutbox(capacity: 8);
        for (var i = 0; i < SocketOutbox.MaxControlFrames; i++)
        {
            Assert.True(outbox.OfferControl(Bytes("error " + i)));
        }

        Assert.False(outbox.OfferControl(Bytes("one too many")));
        Assert.Equal(SocketOutbox.MaxControlFrames, Drain(outbox).Count);
        Assert.True(outbox.OfferControl(Bytes("room again")));
    }

    [Fact]
    public async Task TheWriterWakesForEachFrameAndStopsAfterTheLastOnceCompleted()
    {
        var outbox = LiveOutbox(capacity: 8, welcomeSeq: 0);
        Assert.True(await Within(outbox.WaitAsync()), "the welcome rang the writer");
        Assert.Empty(Drain(outbox));
        var waiting = outbox.WaitAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        outbox.OfferEvent(1, Bytes("e1"));
        Assert.True(await Within(waiting));
        Assert.Equal(["e1"], Drain(outbox));

        outbox.OfferEvent(2, Bytes("e2"));
        outbox.Complete();
        Assert.Equal(OfferResult.Ignored, outbox.OfferEvent(3, Bytes("e3")));
        Assert.True(await Within(outbox.WaitAsync()));
        Assert.Equal(["e2"], Drain(outbox));
        Assert.False(await Within(outbox.WaitAsync()));
    }

    [Fact]
    public async Task CompletingEndsAWriterThatIsWaiting()
    {
        // How a writer whose connection ends stops: its wait has no token (SocketWriter completes the outbox).
        var outbox = LiveOutbox(capacity: 8, welcomeSeq: 0);
        Assert.True(await Within(outbox.WaitAsync()));
        Drain(outbox);
        var waiting = outbox.WaitAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        outbox.Complete();
        Assert.False(await Within(waiting));
    }

    [Fact]
    public void AnEventWhosePredecessorNeverArrivedIsHeldBehindAFreshWelcome()
    {
        var outbox = LiveOutbox(capacity: 16, welcomeSeq: 10);
        Assert.Equal(OfferResult.Queued, outbox.OfferEvent(11, Bytes("e11"), prevSeq: 10));
        Assert.Equal(["e11"], Drain(outbox));

        // 12 and 13 were lost on the way; later events keep coming.
        Assert.Equal(OfferResult.Gap, outbox.OfferEvent(14, Bytes("e14"), prevSeq: 13));
        Assert.Equal(1, _welcomesAsked);
        Assert.Equal(OutboxPhase.AwaitingWelcome, outbox.Phase);
        Assert.Equal(OfferResult.Held, outbox.OfferEvent(15, Bytes("e15"), prevSeq: 14));
        Assert.Empty(Drain(outbox));

        outbox.CompleteWelcome(Bytes("welcome@14"), 14);
        Assert.Equal(["welcome@14", "e15"], Drain(outbox));
        Assert.Equal(OutboxPhase.Live, outbox.Phase);
        Assert.Equal(1, _welcomesAsked);
    }

    [Fact]
    public void AGapBetweenTheSnapshotAndTheHeldEventsAsksForAnotherWelcome()
    {
        var outbox = NewOutbox(capacity: 16);
        outbox.BeginWelcome();
        outbox.OfferEvent(6, Bytes("e6"), prevSeq: 5);
        outbox.OfferEvent(9, Bytes("e9"), prevSeq: 8);
        outbox.OfferEvent(10, Bytes("e10"), prevSeq: 9);

        outbox.CompleteWelcome(Bytes("welcome@6"), 6);
        Assert.Equal(["welcome@6"], Drain(outbox));
        Assert.Equal(1, _welcomesAsked);
        Assert.Equal(OutboxPhase.AwaitingWelcome, outbox.Phase);

        outbox.CompleteWelcome(Bytes("welcome@10"), 10);
        Assert.Equal(["welcome@10"], Drain(outbox));
        Assert.Equal(OutboxPhase.Live, outbox.Phase);
    }

    [Fact]
    public void AnUnknownPredecessorOrADuplicateIsNotAGap()
    {
        var outbox = LiveOutbox(capacity: 16, welcomeSeq: 10);
        Assert.Equal(OfferResult.Queued, outbox.OfferEvent(20, Bytes("e20"), prevSeq: 0));
        Assert.Equal(OfferResult.Ignored, outbox.OfferEvent(20, Bytes("e20 again"), prevSeq: 19));
        Assert.Equal(OfferResult.Queued, outbox.OfferEvent(30_001, Bytes("after a reactivation"), prevSeq: 15));
        Assert.Equal(["e20", "after a reactivation"], Drain(outbox));
        Assert.Equal(0, _welcomesAsked);
    }

    private static Task<bool> Within(ValueTask<bool> wait) => Within(wait.AsTask());

    private static Task<bool> Within(Task<bool> wait) => wait.WaitAsync(TimeSpan.FromSeconds(10));

    private SocketOutbox NewOutbox(int capacity) => new(capacity, () => _welcomesAsked++);

    private SocketOutbox LiveOutbox(int capacity, long welcomeSeq)
    {
        var outbox = NewOutbox(capacity);
        outbox.BeginWelcome();
        outbox.CompleteWelcome(Bytes("welcome"), welcomeSeq);
        Assert.Equal(["welcome"], Drain(outbox));
        return outbox;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static List<string> Drain(SocketOutbox outbox)
    {
        var frames = new List<string>();
        while (outbox.TryTake(out var frame))
        {
            frames.Add(Encoding.UTF8.GetString(frame.Payload));
        }

        return frames;
    }
}
