using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace OrleansChat.Grains.Streaming;

/// <summary>
/// A queue of stream batches in memory whose reader waits instead of polling. Memory streams ask their queue grain
/// for messages every poll period, busy or not (at the 2 ms the chunk latency needs, a third of a core per silo with
/// nothing to deliver); here the pulling agent's dequeue stays open until a batch arrives or the wait ends, so an
/// idle queue costs one call per wait and a batch leaves the moment it is queued.
/// </summary>
/// <remarks>
/// Reentrant: enqueues are served while a dequeue waits. Placed on the silo of its first caller, which is usually
/// its pulling agent (agents start with the silo, before anything is published), so the agent's calls stay local.
/// A batch stays queued until its reader asks again (so it is cached there): an agent stopping in the middle of a
/// read never takes batches with it. Like memory streams, batches live only in this activation: what matters (committed messages) is stored before it
/// is published, and a client that misses events sees a gap in the room sequence and asks for a fresh snapshot.
/// </remarks>
[Reentrant]
[PreferLocalPlacement]
public sealed class WaitingQueueGrain : Grain, IWaitingQueueGrain, IGrainMigrationParticipant
{
    private const string MigratedBatches = "batches";
    private const string MigratedSequenceNumber = "next-sequence-number";
    private const string MigratedTapRing = "tap-ring";
    private const string MigratedTapEvictedThrough = "tap-evicted-through";
    private const string MigratedEpoch = "epoch";
    private const string MigratedTaps = "taps";

    /// <summary>Most batches a queue holds before publishing fails (the same bound as a memory stream queue).</summary>
    public const int MaxQueued = 16_384;

    /// <summary>
    /// Most batches of one stream (one room) a queue holds: a flooded room fills its own share and its publishes fail,
    /// while the other rooms on the same queue keep three quarters of it.
    /// </summary>
    public const int MaxQueuedPerStream = MaxQueued / 4;

    /// <summary>
    /// Most recent batches kept for taps (<see cref="Tap"/>), whether or not the pulling agent has them: a tap that
    /// falls further behind than this is told it missed some.
    /// </summary>
    public const int TapRetained = 8_192;

    private readonly Queue<ChatQueueBatch> _queue = new();
    private readonly ChatQueueBatch[] _tapRing = new ChatQueueBatch[TapRetained];
    private int _tapRingStart;
    private int _tapRingCount;
    private readonly Dictionary<StreamId, int> _perStream = [];
    private long _nextSequenceNumber = DateTime.UtcNow.Ticks; // grows across activations too
    private TaskCompletionSource<bool>? _waiter;
    private SiloAddress? _lastRemoteReader;
    private bool _moving;

    // The taps' side: which activation this is (migration keeps it), the last batch the ring let go, and one signal
    // every waiting tap awaits (set by the next enqueue).
    private Guid _epoch = Guid.NewGuid();
    private long _tapEvictedThrough = long.MinValue;
    private TaskCompletionSource? _tapSignal;
    private long _tapsReadUntil; // Environment.TickCount64 until which this queue counts as tapped

    // Named taps' cursors (TapAs): a batch every one of them has read past is let go. Anonymous reads (Tap) keep the
    // last TapRetained batches until they stop.
    private readonly Dictionary<Guid, TapCursor> _taps = [];
    private long _anonymousTapsUntil;

    // Until the first named tap reads this activation (or for TapForgottenAfter at most), everything is kept: taps of a
    // lost activation of this queue come with a cursor of that one and get all this one holds.
    private long _keepAllUntil = Environment.TickCount64 + (long)TapForgottenAfter.TotalMilliseconds;

    // Waiting tap reads end at the next enqueue, or when the earliest of their waits is over: one clock per activation
    // (no timer per read), set for that deadline only, so an idle queue wakes once per wait, not on a fixed tick. A
    // thread-pool timer, not a grain timer: it must also end the waits while the activation drains its requests to
    // deactivate or move, when grain timers no longer tick.
    private long _tapWaitDeadline = long.MaxValue;
    private long _tapWaitClockAt = long.MaxValue; // when the clock fires next (MaxValue: not set)
    private ITimer? _tapWaitClock;

    public Task Enqueue(ChatQueueBatch batch)
    {
        if (_queue.Count >= MaxQueued)
        {
            throw new InvalidOperationException(
                $"Stream queue {this.GetPrimaryKeyString()} is full ({MaxQueued} batches): its pulling agent is not reading.");
        }

        var queued = _perStream.GetValueOrDefault(batch.StreamId);
        if (queued >= MaxQueuedPerStream)
        {
            throw new InvalidOperationException(
                $"Stream {batch.StreamId} holds its share of queue {this.GetPrimaryKeyString()} ({MaxQueuedPerStream} batches): it publishes faster than it is delivered.");
        }

        var stamped = batch.Queued(_nextSequenceNumber++);
        Append(stamped, queued);
        Retain(stamped);
        LetGoWhatTapsHave();
        Wake(true);
        SignalTaps();
        return Task.CompletedTask;
    }

    public Task<QueueTapRead> Tap(Guid epoch, long after, int maxCount, TimeSpan wait)
    {
        _anonymousTapsUntil = Environment.TickCount64 + (long)(Positive(wait) + TapForgottenAfter).TotalMilliseconds;
        return ReadForTap(null, epoch, after, maxCount, wait);
    }

    public Task<QueueTapRead> TapAs(Guid tap, Guid epoch, long after, int maxCount, TimeSpan wait) =>
        ReadForTap(tap, epoch, after, maxCount, wait);

    public Task<QueueTapState> TapState()
    {
        LetGoWhatTapsHave();
        return Task.FromResult(new QueueTapState(_tapRingCount, _taps.Count, AnonymousTapsActive));
    }

    private async Task<QueueTapRead> ReadForTap(Guid? tap, Guid epoch, long after, int maxCount, TimeSpan wait)
    {
        _tapsReadUntil = Environment.TickCount64 + (long)TapsCountFor.TotalMilliseconds;
        if (_moving)
        {
            // Idle for the move: a read that waited would hold this activation, and taps read again at once.
            return new QueueTapRead(epoch, after, [], Missed: false, Moving: true);
        }

        var missed = false;
        if (epoch != _epoch)
        {
            if (epoch == Guid.Empty)
            {
                // A new tap starts at the end: what was queued before it is in the welcomes its sockets get.
                Track(tap, LastSequenceNumber, TimeSpan.Zero);
                return new QueueTapRead(_epoch, LastSequenceNumber, [], Missed: false, Moving: false);
            }

            // Another activation's cursor (that one was lost): everything this one holds may be news to the tap.
            missed = true;
            after = long.MinValue;
        }
        else if (after < _tapEvictedThrough)
        {
            missed = true;
        }

        // The tap has everything through its cursor (it asks again only once it relayed its last answer).
        Track(tap, after, wait);
        LetGoWhatTapsHave();

        if (!missed && wait > TimeSpan.Zero && !HasTapBatchAfter(after))
        {
            // Nothing came in time: the tap gets an empty answer and reads again. The continuation stays on the
            // grain's scheduler. (A signal the clock ended is done with, and so is its deadline.)
            if (_tapSignal is { Task.IsCompleted: true })
            {
                SignalTaps();
            }

            var signal = _tapSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EndWaitsBy(wait);
            await signal.Task.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        // Taps are usually close behind: count back from the newest to the first one they lack.
        var first = _tapRingCount;
        while (first > 0 && Retained(first - 1).Token!.SequenceNumber > after)
        {
            first--;
        }

        var count = Math.Min(_tapRingCount - first, maxCount < 0 ? int.MaxValue : maxCount);
        var batches = new List<ChatQueueBatch>(count);
        for (var i = first; i < first + count; i++)
        {
            batches.Add(Retained(i));
        }

        var through = batches.Count > 0 ? batches[^1].Token!.SequenceNumber : Math.Max(after, LastSequenceNumber);
        return new QueueTapRead(_epoch, through, batches, missed, Moving: false);
    }

    public Task<List<ChatQueueBatch>> DequeueFor(int maxCount, TimeSpan wait, long takenThrough, SiloAddress reader)
    {
        if (_moving || reader.Equals(GrainContext.Address.SiloAddress))
        {
            _lastRemoteReader = null;
        }
        else if (reader.Equals(_lastRemoteReader))
        {
            // The second read in a row from that silo: its agent owns this queue now. Move there once no request
            // runs (the placement hint names the silo); this read returns at once instead of holding the grain busy.
            _moving = true;
            SignalTaps();
            RequestContext.Set(IPlacementDirector.PlacementHintKey, reader);
            MigrateOnIdle();
            wait = TimeSpan.Zero;
        }
        else
        {
            _lastRemoteReader = reader;
        }

        return Dequeue(maxCount, wait, takenThrough);
    }

    public async Task<List<ChatQueueBatch>> Dequeue(int maxCount, TimeSpan wait, long takenThrough)
    {
        while (_queue.TryPeek(out var head) && head.Token!.SequenceNumber <= takenThrough)
        {
            _queue.Dequeue();
            var left = _perStream[head.StreamId] - 1;
            if (left == 0)
            {
                _perStream.Remove(head.StreamId);
            }
            else
            {
                _perStream[head.StreamId] = left;
            }
        }

        if (_queue.Count == 0 && wait > TimeSpan.Zero)
        {
            // One reader at a time: a newer one (the queue moved to another agent) ends the older one's wait.
            Wake(false);
            var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiter = waiter;
            using var timeout = new CancellationTokenSource(wait);
            await using (timeout.Token.Register(static w => ((TaskCompletionSource<bool>)w!).TrySetResult(false), waiter))
            {
                if (!await waiter.Task)
                {
                    if (ReferenceEquals(_waiter, waiter))
                    {
                        _waiter = null;
                    }

                    // Replaced, released or timed out: whatever came meanwhile goes to the current reader.
                    return [];
                }
            }
        }

        if (_queue.Count > 0 && !_moving && TapsActive)
        {
            // WebFronts tap this queue, so they relay its events themselves: the agent (whose subscribers, if any, are
            // not the chat's feeds) reads a little later and takes what queued meanwhile in the same read, instead of
            // waking and reading once per event at the very moment the taps deliver it.
            await Task.Delay(AgentLagWithTaps);
        }

        // Delivered at least once: what an agent read and then dropped (it was stopping) is read again by the next
        // one; the chat's consumers drop what they already have by the room sequence number.
        return [.. _queue.Take(maxCount < 0 ? int.MaxValue : maxCount)];
    }

    public Task<SiloAddress> Location() => Task.FromResult(GrainContext.Address.SiloAddress!);

    public Task Release()
    {
        Wake(false);
        return Task.CompletedTask;
    }

    public void OnDehydrate(IDehydrationContext dehydrationContext)
    {
        // What the readers have not confirmed yet goes along: the next reader (on the new silo) gets it again.
        dehydrationContext.TryAddValue(MigratedBatches, _queue.ToList());
        dehydrationContext.TryAddValue(MigratedSequenceNumber, _nextSequenceNumber);
        dehydrationContext.TryAddValue(MigratedTapRing, Enumerable.Range(0, _tapRingCount).Select(Retained).ToList());
        dehydrationContext.TryAddValue(MigratedTapEvictedThrough, _tapEvictedThrough);
        dehydrationContext.TryAddValue(MigratedEpoch, _epoch);
        dehydrationContext.TryAddValue(MigratedTaps, _taps.ToDictionary(t => t.Key, t => t.Value.After));
    }

    public void OnRehydrate(IRehydrationContext rehydrationContext)
    {
        if (rehydrationContext.TryGetValue(MigratedSequenceNumber, out long next))
        {
            _nextSequenceNumber = Math.Max(_nextSequenceNumber, next);
        }

        if (rehydrationContext.TryGetValue(MigratedBatches, out List<ChatQueueBatch>? batches))
        {
            foreach (var batch in batches)
            {
                Append(batch, _perStream.GetValueOrDefault(batch.StreamId));
            }
        }

        // The taps' cursors stay valid: the same epoch, the same retained batches.
        if (rehydrationContext.TryGetValue(MigratedEpoch, out Guid epoch)
            && rehydrationContext.TryGetValue(MigratedTapEvictedThrough, out long evictedThrough)
            && rehydrationContext.TryGetValue(MigratedTapRing, out List<ChatQueueBatch>? ring))
        {
            _epoch = epoch;
            foreach (var batch in ring)
            {
                Retain(batch);
            }

            _tapEvictedThrough = evictedThrough;
            if (rehydrationContext.TryGetValue(MigratedTaps, out Dictionary<Guid, long>? taps))
            {
                // Each tap reads again soon (it was told the queue is moving): until then its cursor holds what it lacks.
                foreach (var (tap, tapAfter) in taps)
                {
                    Track(tap, tapAfter, TimeSpan.Zero);
                }
            }
        }
    }

    /// <summary>
    /// How far behind the taps the pulling agent reads while taps read this queue (measured: docs/measurements.md,
    /// "The pulling agent reads behind the taps").
    /// </summary>
    public static readonly TimeSpan AgentLagWithTaps = TimeSpan.FromMilliseconds(20);

    /// <summary>How long after a tap's read the queue counts as tapped (taps read at least once per wait, 1 s by default).</summary>
    private static readonly TimeSpan TapsCountFor = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after its read's wait a named tap that has not read again is forgotten (its cursor no longer holds
    /// batches; if it comes back it is told it missed some). A live tap reads again within milliseconds of an answer.
    /// </summary>
    public static readonly TimeSpan TapForgottenAfter = TimeSpan.FromSeconds(5);

    /// <summary>A named tap's cursor: it has every batch through <see cref="After"/>; forgotten after <see cref="AliveUntil"/>.</summary>
    private readonly record struct TapCursor(long After, long AliveUntil);

    private bool AnonymousTapsActive => Environment.TickCount64 < _anonymousTapsUntil;

    private static TimeSpan Positive(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.Zero;

    private void Track(Guid? tap, long after, TimeSpan wait)
    {
        if (tap is { } id)
        {
            _keepAllUntil = 0;
            _taps[id] = new TapCursor(after, Environment.TickCount64 + (long)(Positive(wait) + TapForgottenAfter).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Lets go of the batches every known tap has read past (all of them when no tap reads: a new tap starts at the
    /// end), forgetting taps that stopped reading; while anonymous taps read, keeps the last <see cref="TapRetained"/>.
    /// </summary>
    private void LetGoWhatTapsHave()
    {
        if (_tapRingCount == 0 || AnonymousTapsActive || Environment.TickCount64 < _keepAllUntil)
        {
            return;
        }

        var now = Environment.TickCount64;
        var through = LastSequenceNumber;
        foreach (var (id, cursor) in _taps)
        {
            if (now > cursor.AliveUntil)
            {
                _taps.Remove(id); // removing while enumerating is allowed for Dictionary since .NET Core 3.0
            }
            else
            {
                through = Math.Min(through, cursor.After);
            }
        }

        while (_tapRingCount > 0 && _tapRing[_tapRingStart].Token!.SequenceNumber <= through)
        {
            _tapEvictedThrough = _tapRing[_tapRingStart].Token!.SequenceNumber;
            _tapRing[_tapRingStart] = null!;
            _tapRingStart = (_tapRingStart + 1) % TapRetained;
            _tapRingCount--;
        }
    }

    /// <summary>Waiting tap reads end by <paramref name="wait"/> from now at the latest.</summary>
    private void EndWaitsBy(TimeSpan wait)
    {
        var deadline = Math.Min(Volatile.Read(ref _tapWaitDeadline), Environment.TickCount64 + (long)wait.TotalMilliseconds);

        // A full fence between this write and the clock's check in SetClockFor, matched by the clock's exchange in
        // EndWaitsThatAreOver: either this sees the clock unset and sets it, or the clock sees this deadline.
        Interlocked.Exchange(ref _tapWaitDeadline, deadline);
        _tapWaitClock ??= TimeProvider.System.CreateTimer(
            static grain => ((WaitingQueueGrain)grain!).EndWaitsThatAreOver(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        SetClockFor(deadline);
    }

    /// <summary>
    /// Makes the clock fire by <paramref name="deadline"/> (a tick of <see cref="Environment.TickCount64"/>); from the
    /// grain or the clock's own thread. No clock (deactivated): nothing to do.
    /// </summary>
    private void SetClockFor(long deadline)
    {
        var clock = Volatile.Read(ref _tapWaitClock);
        while (clock is not null)
        {
            var setFor = Volatile.Read(ref _tapWaitClockAt);
            if (setFor <= deadline)
            {
                return; // it fires by then (and looks again at the deadline when it does)
            }

            if (Interlocked.CompareExchange(ref _tapWaitClockAt, deadline, setFor) == setFor)
            {
                var due = Math.Max(1, deadline - Environment.TickCount64);
                try
                {
                    clock.Change(TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // Deactivated: the waits were ended then.
                }

                return;
            }
        }
    }

    /// <summary>
    /// On the clock's thread: ends the current waits once the earliest is over, else sets the clock again for it. It
    /// only completes the signal (safe from any thread); the grain drops a completed signal on its next read. A
    /// deadline read just as the grain moves on to a new signal may end that one early: its readers get an empty answer
    /// and read again. Two settings that race may leave the clock a little later than the earliest deadline, never
    /// unset while a wait runs: each firing looks at the deadline again.
    /// </summary>
    private void EndWaitsThatAreOver()
    {
        Interlocked.Exchange(ref _tapWaitClockAt, long.MaxValue);
        var deadline = Volatile.Read(ref _tapWaitDeadline);
        if (deadline == long.MaxValue)
        {
            return; // the waits ended with an enqueue
        }

        var signal = Volatile.Read(ref _tapSignal);
        if (Environment.TickCount64 >= deadline)
        {
            signal?.TrySetResult();
        }
        else
        {
            SetClockFor(deadline);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _tapWaitClock?.Dispose();
        _tapWaitClock = null;
        SignalTaps();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>Whether a tap read this queue lately.</summary>
    private bool TapsActive => Environment.TickCount64 < _tapsReadUntil;

    /// <summary>At least the sequence number of the last batch queued (numbers only grow, also across a move).</summary>
    private long LastSequenceNumber => _nextSequenceNumber - 1;

    private bool HasTapBatchAfter(long after) => _tapRingCount > 0 && Retained(_tapRingCount - 1).Token!.SequenceNumber > after;

    /// <summary>The <paramref name="index"/>-th oldest batch kept for taps.</summary>
    private ChatQueueBatch Retained(int index) => _tapRing[(_tapRingStart + index) % TapRetained];

    private void Retain(ChatQueueBatch batch)
    {
        if (_tapRingCount == TapRetained)
        {
            _tapEvictedThrough = _tapRing[_tapRingStart].Token!.SequenceNumber;
            _tapRing[_tapRingStart] = batch;
            _tapRingStart = (_tapRingStart + 1) % TapRetained;
            return;
        }

        _tapRing[(_tapRingStart + _tapRingCount++) % TapRetained] = batch;
    }

    private void SignalTaps()
    {
        var signal = _tapSignal;
        Volatile.Write(ref _tapSignal, null);
        Volatile.Write(ref _tapWaitDeadline, long.MaxValue);
        signal?.TrySetResult();
    }

    /// <summary>
    /// Queues a batch that already has its sequence token, counting it against its stream's share
    /// (<paramref name="alreadyQueued"/>: that stream's batches in the queue so far).
    /// </summary>
    private void Append(ChatQueueBatch queued, int alreadyQueued)
    {
        _perStream[queued.StreamId] = alreadyQueued + 1;
        _queue.Enqueue(queued);
    }

    /// <summary>Ends the current wait: with true the reader takes what is queued, with false it leaves empty-handed.</summary>
    private void Wake(bool hasBatches)
    {
        var waiter = _waiter;
        _waiter = null;
        waiter?.TrySetResult(hasBatches);
    }
}
