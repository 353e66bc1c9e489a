using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Sockets;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// One Orleans stream subscription to a room, shared by this WebFront's sockets in that room (or owned by one socket
/// when <see cref="FeedScope.Connection"/>); with <see cref="FeedSource.QueueTap"/> no subscription: the
/// <see cref="QueueTapRelay"/> hands it the room's events. Each event arrives once, is serialized once, and its bytes are offered
/// to every member's <see cref="SocketOutbox"/>; nothing here waits for a socket. Created and retired by
/// <see cref="RoomFeeds"/>. It also checks, at each lease renewal, that its members were given every event the room
/// published, and recovers (a new subscription, a fresh welcome for every member) when the stream lost some.
/// </summary>
internal sealed class RoomFeed : IAsyncObserver<ChatEvent>, IAsyncDisposable
{
    private const int SubscribeAttempts = 3;
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);

    private readonly IAsyncStream<ChatEvent> _stream;
    private readonly Func<ChatEvent, byte[]> _serialize;
    private readonly TimeSpan _callTimeout;
    private readonly ChatMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _tapped;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _cleanups = [];

    private IRoomMember[] _members = [];
    private Task<StreamSubscriptionHandle<ChatEvent>>? _subscription;
    private Task? _recovery;
    private long _lastRenewalSeq;

    public RoomFeed(
        string roomId,
        IClusterClient cluster,
        Func<ChatEvent, byte[]> serialize,
        TimeSpan callTimeout,
        ChatMetrics metrics,
        ILogger logger,
        FeedSource source = FeedSource.Subscription)
    {
        RoomId = roomId;
        Room = cluster.GetGrain<IChatRoomGrain>(roomId);
        _stream = cluster.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(roomId));
        _serialize = serialize;
        _callTimeout = callTimeout;
        _metrics = metrics;
        _logger = logger;
        _tapped = source == FeedSource.QueueTap;
    }

    public string RoomId { get; }

    public IChatRoomGrain Room { get; }

    /// <summary>The sockets this feed delivers to.</summary>
    public IReadOnlyList<IRoomMember> Members => Volatile.Read(ref _members);

    // Managed by RoomFeeds under its own lock.
    internal int References { get; set; }

    internal ITimer? RetireTimer { get; set; }

    /// <summary>Waits until the feed's subscription exists (made by the first caller; a failed one is tried again).</summary>
    public Task SubscribeAsync(CancellationToken cancellationToken)
    {
        if (_tapped)
        {
            // Nothing to subscribe: this WebFront's queue taps hand every event of the room to the feed registered for it.
            return Task.CompletedTask;
        }

        Task<StreamSubscriptionHandle<ChatEvent>> subscription;
        lock (_gate)
        {
            if (_subscription is null or { IsFaulted: true } or { IsCanceled: true })
            {
                _subscription = SubscribeWithRetryAsync(_lifetime.Token);
            }

            subscription = _subscription;
        }

        return subscription.WaitAsync(cancellationToken);
    }

    public void Add(IRoomMember member)
    {
        lock (_gate)
        {
            _members = [.. _members, member];
        }
    }

    public void Remove(IRoomMember member)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_members, member);
            if (index >= 0)
            {
                _members = [.. _members.AsSpan(0, index), .. _members.AsSpan(index + 1)];
            }
        }
    }

    public Task OnNextAsync(ChatEvent item, StreamSequenceToken? token = null)
    {
        var members = Volatile.Read(ref _members);
        if (members.Length == 0)
        {
            return Task.CompletedTask;
        }

        var payload = _serialize(item);
        int queued = 0, dropped = 0, gaps = 0;
        foreach (var member in members)
        {
            switch (member.Outbox.OfferEvent(item.Seq, payload, item.PublishedAt, item.PrevSeq))
            {
                case OfferResult.Queued:
                case OfferResult.Held:
                    queued++;
                    break;
                case OfferResult.Gap:
                    queued++;
                    gaps++;
                    break;
                case OfferResult.Dropped:
                    dropped++;
                    break;
            }
        }

        _metrics.EventsRelayed(queued);
        _metrics.FellBehind(dropped);
        if (gaps > 0)
        {
            WebFrontLog.EventsMissed(_logger, RoomId, item.PrevSeq, item.Seq, gaps);
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        WebFrontLog.StreamError(_logger, ex, RoomId);
        StartRecovery();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Called with the room's sequence number at each lease renewal. If the number reported at the previous renewal is
    /// still ahead of what members were given, events were lost on the way (e.g. while a silo died) with no later event
    /// to reveal the gap: a member that alone is short resyncs; if every member is, the feed subscribes again and
    /// resyncs them all.
    /// </summary>
    public async Task CheckDeliveredAsync(long roomSeq)
    {
        var expected = Interlocked.Exchange(ref _lastRenewalSeq, roomSeq);
        if (expected == 0)
        {
            return;
        }

        var live = Members.Where(m => m.Outbox.Phase == OutboxPhase.Live).ToList();
        var behind = live.Where(m => m.Outbox.LastSeq < expected).ToList();
        if (behind.Count == 0)
        {
            return;
        }

        if (behind.Count < live.Count)
        {
            foreach (var member in behind)
            {
                member.Outbox.RequestWelcome();
            }

            return;
        }

        StartRecovery();
        Task? recovery;
        lock (_gate)
        {
            recovery = _recovery;
        }

        await (recovery ?? Task.CompletedTask);
    }

    /// <summary>Unsubscribes (also a subscription still being made). Never throws; failures are logged.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        Task? recovery;
        lock (_gate)
        {
            recovery = _recovery;
        }

        if (recovery is not null)
        {
            await recovery;
        }

        Task<StreamSubscriptionHandle<ChatEvent>>? subscription;
        lock (_gate)
        {
            subscription = _subscription;
            _subscription = null;
        }

        if (subscription is not null)
        {
            await UnsubscribeWhenMadeAsync(subscription);
        }

        Task[] cleanups;
        lock (_gate)
        {
            cleanups = [.. _cleanups];
        }

        await Task.WhenAll(cleanups);
    }

    private void StartRecovery()
    {
        lock (_gate)
        {
            if (_lifetime.IsCancellationRequested || _recovery is { IsCompleted: false })
            {
                return;
            }

            _recovery = RecoverAsync();
        }
    }

    /// <summary>Every member asks for a fresh welcome (its queue tap may have missed events of this room).</summary>
    public void ResynchronizeMembers()
    {
        foreach (var member in Members)
        {
            member.Outbox.RequestWelcome();
        }
    }

    /// <summary>A new subscription first (so nothing falls between), then the old one goes, then every member resyncs.</summary>
    private async Task RecoverAsync()
    {
        await Task.Yield();
        WebFrontLog.FeedRecovering(_logger, RoomId, Members.Count);
        if (_tapped)
        {
            ResynchronizeMembers();
            return;
        }

        Task<StreamSubscriptionHandle<ChatEvent>>? old;
        var replacement = SubscribeWithRetryAsync(_lifetime.Token);
        try
        {
            await replacement;
        }
        catch (Exception ex)
        {
            if (!_lifetime.IsCancellationRequested)
            {
                WebFrontLog.FeedRecoveryFailed(_logger, ex, RoomId);
            }

            return;
        }

        lock (_gate)
        {
            old = _subscription;
            _subscription = replacement;
        }

        if (old is not null && old != replacement)
        {
            await UnsubscribeWhenMadeAsync(old);
        }

        ResynchronizeMembers();
    }

    /// <summary>
    /// Subscribing right after a silo failure or on a cold cluster can time out once (the stream's pub-sub grain is
    /// moving): three attempts with a short backoff, each bounded by the grain call timeout. An attempt given up on
    /// may still succeed later: it is then unsubscribed, so no subscription is ever orphaned.
    /// </summary>
    private async Task<StreamSubscriptionHandle<ChatEvent>> SubscribeWithRetryAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var subscribing = _stream.SubscribeAsync(this);
            try
            {
                return await subscribing.WaitAsync(_callTimeout, cancellationToken);
            }
            catch (Exception ex)
            {
                // Given up on, but it may still succeed (or have succeeded just as the wait was cancelled): whatever
                // it made is unsubscribed. A subscribe that failed leaves nothing to undo.
                lock (_gate)
                {
                    _cleanups.Add(UnsubscribeWhenMadeAsync(subscribing));
                }

                if (attempt >= SubscribeAttempts || cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                WebFrontLog.SubscribeRetry(_logger, ex, RoomId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
            }
        }
    }

    private async Task UnsubscribeWhenMadeAsync(Task<StreamSubscriptionHandle<ChatEvent>> subscribing)
    {
        StreamSubscriptionHandle<ChatEvent> handle;
        try
        {
            handle = await subscribing;
        }
        catch
        {
            // It never existed (its failure was logged where it was awaited).
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            await handle.UnsubscribeAsync().WaitAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            WebFrontLog.UnsubscribeFailed(_logger, ex, RoomId);
        }
    }
}
