using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// What one socket is about to be sent: a bounded queue of frames with the socket's own welcome fence and its own
/// slow-consumer handling. Pure: no socket, no Orleans, safe to call from any thread; one writer takes frames out.
/// <list type="bullet">
/// <item><b>Fence.</b> No room event reaches the queue before the socket's welcome, none with a sequence number at or
/// below the welcome's, and none twice or backwards. Events that arrive while a welcome is being prepared are held
/// and released after it (those the snapshot already holds are dropped).</item>
/// <item><b>Gaps.</b> An event whose predecessor (<c>prevSeq</c>) the socket was never given means events were lost on
/// the way (a queue handed over while a silo restarted): it is held and a fresh welcome is asked for at once, so the
/// client is resynchronised by the server even while later events keep coming.</item>
/// <item><b>Slow consumer.</b> When <c>capacity</c> frames are waiting, the queued events are dropped and so is every
/// new one (nothing else waits, memory stays bounded). Once the writer has sent what is left, the outbox asks for a
/// fresh welcome, which replaces everything the client missed.</item>
/// <item><b>Control frames</b> (errors, goingAway) are never dropped for being behind.</item>
/// </list>
/// The outbox never fetches a welcome itself: it calls <c>welcomeNeeded</c>, and whoever talks to the room answers
/// with <see cref="CompleteWelcome"/>.
/// </summary>
internal sealed class SocketOutbox
{
    /// <summary>Control frames kept at most; more (a client provoking errors while not reading) are dropped.</summary>
    internal const int MaxControlFrames = 32;

    private readonly int _capacity;
    private readonly Action _welcomeNeeded;
    private readonly Lock _gate = new();
    private readonly Queue<OutboundFrame> _queue = new();

    // A doorbell for the one writer: holds a token while frames may be waiting (capacity 1, extra rings are dropped).
    // Rung outside _gate, so the lock is never held while a thread-pool thread is being woken.
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    // Guarded by _gate.
    private OutboxPhase _phase = OutboxPhase.Idle;
    private List<OutboundFrame>? _held;
    private long _heldLostUpTo;
    private long _lastSeq;
    private int _controlFrames;
    private long _droppedEvents;
    private bool _completed;

    /// <param name="capacity">Room frames queued at most before the socket counts as behind.</param>
    /// <param name="welcomeNeeded">Called (outside the outbox's lock) when the socket needs a fresh welcome.</param>
    public SocketOutbox(int capacity, Action welcomeNeeded)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _welcomeNeeded = welcomeNeeded;
    }

    /// <summary>Where the socket stands.</summary>
    public OutboxPhase Phase
    {
        get
        {
            lock (_gate)
            {
                return _phase;
            }
        }
    }

    /// <summary>The highest room sequence number the client has been given (welcome or event), 0 before the first.</summary>
    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _lastSeq;
            }
        }
    }

    /// <summary>Room events dropped because the socket was behind (for tests).</summary>
    public long DroppedEvents
    {
        get
        {
            lock (_gate)
            {
                return _droppedEvents;
            }
        }
    }

    /// <summary>
    /// A welcome is about to be requested from the room (join, rejoin or resync): from now on events are held until
    /// <see cref="CompleteWelcome"/>. Call it before asking the room for the snapshot.
    /// </summary>
    public void BeginWelcome()
    {
        lock (_gate)
        {
            if (_phase != OutboxPhase.AwaitingWelcome)
            {
                _phase = OutboxPhase.AwaitingWelcome;
                _held = null;
                _heldLostUpTo = 0;
            }
        }
    }

    /// <summary>
    /// Queues the welcome for a snapshot at <paramref name="snapshotSeq"/>, then the held events newer than it.
    /// Queued events and older welcomes are dropped: the snapshot holds them. If held events were lost beyond the
    /// snapshot (the hold overflowed), another welcome is asked for at once.
    /// </summary>
    public void CompleteWelcome(byte[] welcome, long snapshotSeq)
    {
        bool again, ring;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            DropQueuedRoomFrames(superseded: true);
            ring = Enqueue(new OutboundFrame(OutboundFrameKind.Welcome, snapshotSeq, welcome));
            _lastSeq = snapshotSeq;
            again = _heldLostUpTo > snapshotSeq;
            foreach (var frame in _held ?? [])
            {
                if (frame.Seq <= _lastSeq)
                {
                    continue;
                }

                if (frame.PrevSeq > _lastSeq)
                {
                    // Something between the snapshot and this event never arrived: another welcome replaces it all.
                    again = true;
                    break;
                }

                ring |= Enqueue(frame);
                _lastSeq = frame.Seq;
            }

            _held = null;
            _heldLostUpTo = 0;
            _phase = again ? OutboxPhase.AwaitingWelcome : OutboxPhase.Live;
        }

        Ring(ring);
        if (again)
        {
            _welcomeNeeded();
        }
    }

    /// <summary>The welcome could not be produced and none will follow (the join failed): back to not joined.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _phase = OutboxPhase.Idle;
            _held = null;
            _heldLostUpTo = 0;
            _lastSeq = 0;
        }
    }

    /// <summary>
    /// Asks for a fresh welcome (the client asked, or the server knows the client missed something). Coalesces:
    /// nothing happens while one is already on its way. False when the socket has not joined.
    /// </summary>
    public bool RequestWelcome()
    {
        lock (_gate)
        {
            if (_phase != OutboxPhase.Live)
            {
                return _phase != OutboxPhase.Idle;
            }

            _phase = OutboxPhase.AwaitingWelcome;
            _held = null;
            _heldLostUpTo = 0;
        }

        _welcomeNeeded();
        return true;
    }

    /// <summary>
    /// Offers a room event (the same bytes for every socket of a feed). <paramref name="prevSeq"/> is the sequence
    /// number of the event the room published before it (0: unknown, not checked).
    /// </summary>
    public OfferResult OfferEvent(long seq, byte[] payload, DateTimeOffset publishedAt = default, long prevSeq = 0)
    {
        OfferResult result;
        var ring = false;
        lock (_gate)
        {
            if (_completed)
            {
                return OfferResult.Ignored;
            }

            switch (_phase)
            {
                case OutboxPhase.AwaitingWelcome:
                    _held ??= [];
                    if (_held.Count < _capacity)
                    {
                        _held.Add(new OutboundFrame(OutboundFrameKind.Event, seq, payload, publishedAt, prevSeq));
                        return OfferResult.Held;
                    }

                    // Too much arrived while the snapshot was being taken: drop it, and if the snapshot turns out
                    // older than what was dropped, ask for another.
                    _held.Clear();
                    _heldLostUpTo = Math.Max(_heldLostUpTo, seq);
                    _droppedEvents++;
                    return OfferResult.Dropped;
                case OutboxPhase.Live when seq > _lastSeq && prevSeq > _lastSeq:
                    // A gap: hold this event behind a fresh welcome (queued frames still go out; the welcome
                    // supersedes them).
                    _phase = OutboxPhase.AwaitingWelcome;
                    _held = [new OutboundFrame(OutboundFrameKind.Event, seq, payload, publishedAt, prevSeq)];
                    _heldLostUpTo = 0;
                    result = OfferResult.Gap;
                    break;
                case OutboxPhase.Live when seq > _lastSeq:
                    if (_queue.Count - _controlFrames >= _capacity)
                    {
                        DropQueuedRoomFrames(superseded: false);
                        _phase = OutboxPhase.Behind;
                        _droppedEvents++;
                        return OfferResult.Dropped;
                    }

                    _lastSeq = seq;
                    ring = Enqueue(new OutboundFrame(OutboundFrameKind.Event, seq, payload, publishedAt, prevSeq));
                    result = OfferResult.Queued;
                    break;
                case OutboxPhase.Behind:
                    _droppedEvents++;
                    return OfferResult.Dropped;
                default:
                    // Idle (not joined), or an event the client already has (a duplicate delivery).
                    return OfferResult.Ignored;
            }
        }

        // Outside the lock, as every wake-up and welcome request.
        if (result == OfferResult.Gap)
        {
            _welcomeNeeded();
        }
        else
        {
            Ring(ring);
        }

        return result;
    }

    /// <summary>Queues an error or goingAway frame; it is delivered even when the socket is behind.</summary>
    public bool OfferControl(byte[] payload)
    {
        bool ring;
        lock (_gate)
        {
            if (_completed || _controlFrames >= MaxControlFrames)
            {
                return false;
            }

            _controlFrames++;
            ring = Enqueue(new OutboundFrame(OutboundFrameKind.Control, 0, payload));
        }

        Ring(ring);
        return true;
    }

    /// <summary>For the writer: the next frame to send. When a socket that was behind has sent everything, asks for a welcome.</summary>
    public bool TryTake(out OutboundFrame frame)
    {
        var welcome = false;
        lock (_gate)
        {
            if (_queue.TryDequeue(out frame))
            {
                if (frame.Kind == OutboundFrameKind.Control)
                {
                    _controlFrames--;
                }

                return true;
            }

            if (_phase == OutboxPhase.Behind && !_completed)
            {
                _phase = OutboxPhase.AwaitingWelcome;
                _held = null;
                _heldLostUpTo = 0;
                welcome = true;
            }
        }

        if (welcome)
        {
            _welcomeNeeded();
        }

        return false;
    }

    /// <summary>
    /// For the writer: waits until a frame may be waiting; false once completed and empty. Allocates nothing: a wait
    /// without a token takes the channel's one reusable waiter (a token would cost a new waiter per wait, and an
    /// async box per wait without the pooling builder: together 6 % of a busy WebFront's allocations, measured), so
    /// the writer ends through <see cref="Complete"/>, not a token.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WaitAsync()
    {
        if (!await _doorbell.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            lock (_gate)
            {
                return _queue.Count > 0;
            }
        }

        _doorbell.Reader.TryRead(out _);
        return true;
    }

    /// <summary>No more frames will be offered: the writer sends what is queued and stops.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            _held = null;
        }

        _doorbell.Writer.TryComplete();
    }

    /// <summary>Queues a frame (under _gate); true when the queue was empty, i.e. the writer must be rung.</summary>
    private bool Enqueue(OutboundFrame frame)
    {
        _queue.Enqueue(frame);
        return _queue.Count == 1;
    }

    /// <summary>
    /// Wakes the writer (never under _gate). A ring after the writer already took the frame is a spurious wake-up,
    /// harmless; a frame queued into an empty queue is always followed by a ring, so none waits unnoticed.
    /// </summary>
    private void Ring(bool ring)
    {
        if (ring)
        {
            _doorbell.Writer.TryWrite(true);
        }
    }

    /// <summary>Drops queued events and welcomes, keeping control frames in order.</summary>
    private void DropQueuedRoomFrames(bool superseded)
    {
        if (_queue.Count == _controlFrames)
        {
            return;
        }

        var count = _queue.Count;
        for (var i = 0; i < count; i++)
        {
            var frame = _queue.Dequeue();
            if (frame.Kind == OutboundFrameKind.Control)
            {
                _queue.Enqueue(frame);
            }
            else if (frame.Kind == OutboundFrameKind.Event && !superseded)
            {
                _droppedEvents++;
            }
        }
    }
}

/// <summary>Where a socket's outbox stands with its room.</summary>
internal enum OutboxPhase
{
    /// <summary>Not in a room: room events are ignored.</summary>
    Idle,

    /// <summary>A welcome is being prepared: room events are held until it is queued.</summary>
    AwaitingWelcome,

    /// <summary>Room events are queued as they come.</summary>
    Live,

    /// <summary>The queue overflowed: events are dropped until the writer catches up and a fresh welcome is sent.</summary>
    Behind,
}

/// <summary>What became of an offered room event.</summary>
internal enum OfferResult
{
    Queued,
    Held,
    Dropped,
    Ignored,

    /// <summary>Events before this one were lost on the way: it is held and a fresh welcome was asked for.</summary>
    Gap,
}
