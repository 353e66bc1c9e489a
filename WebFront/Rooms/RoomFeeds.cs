using Microsoft.Extensions.Options;
using OrleansChat.Events;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Sockets;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// This WebFront's room feeds. With <see cref="FeedScope.Server"/>, one per room that has local members: made with
/// the first member, kept for <see cref="RelayOptions.FeedGracePeriod"/> after the last leaves (a reconnect reuses
/// it), then unsubscribed. With <see cref="FeedScope.Connection"/>, one per socket, unsubscribed when it leaves.
/// </summary>
internal sealed class RoomFeeds(
    IClusterClient cluster,
    IOptions<RelayOptions> relay,
    IOptions<ChatSocketOptions> sockets,
    EventFrameCache frames,
    ChatMetrics metrics,
    TimeProvider time,
    ILogger<RoomFeed> logger)
{
    private readonly RelayOptions _relay = relay.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RoomFeed> _shared = new(StringComparer.Ordinal);
    private readonly HashSet<RoomFeed> _all = [];
    private readonly HashSet<Task> _retiring = [];

    public FeedScope Scope => _relay.FeedScope;

    /// <summary>Every feed that is in use or in its grace period.</summary>
    public IReadOnlyCollection<RoomFeed> Feeds
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>The shared feed of <paramref name="roomId"/>, if this WebFront has one (<see cref="FeedScope.Server"/>).</summary>
    public RoomFeed? Find(string roomId)
    {
        lock (_gate)
        {
            return _shared.GetValueOrDefault(roomId);
        }
    }

    /// <summary>A feed for a new member of <paramref name="roomId"/>; pair with <see cref="Release"/>.</summary>
    public RoomFeed Acquire(string roomId)
    {
        lock (_gate)
        {
            if (Scope == FeedScope.Server && _shared.TryGetValue(roomId, out var existing))
            {
                existing.References++;
                existing.RetireTimer?.Dispose();
                existing.RetireTimer = null;
                return existing;
            }

            var feed = new RoomFeed(roomId, cluster, Serializer(), sockets.Value.GrainCallTimeout, metrics, logger, _relay.Source!.Value) { References = 1 };
            if (Scope == FeedScope.Server)
            {
                _shared[roomId] = feed;
            }

            _all.Add(feed);
            metrics.FeedOpened();
            return feed;
        }
    }

    /// <summary>A member is gone: the last one's feed is retired (after the grace period when shared).</summary>
    public void Release(RoomFeed feed)
    {
        lock (_gate)
        {
            if (--feed.References > 0)
            {
                return;
            }

            if (Scope == FeedScope.Server && _relay.FeedGracePeriod > TimeSpan.Zero)
            {
                feed.RetireTimer = time.CreateTimer(_ => RetireIfUnused(feed), null, _relay.FeedGracePeriod, Timeout.InfiniteTimeSpan);
                return;
            }

            Retire(feed);
        }
    }

    /// <summary>Retires every unused feed now and waits for every unsubscribe (shutdown, tests).</summary>
    public async Task RetireUnusedAsync()
    {
        Task[] retiring;
        lock (_gate)
        {
            foreach (var feed in _all.Where(f => f.References == 0).ToList())
            {
                Retire(feed);
            }

            retiring = [.. _retiring];
        }

        await Task.WhenAll(retiring);
    }

    private void RetireIfUnused(RoomFeed feed)
    {
        lock (_gate)
        {
            if (feed.References == 0 && _all.Contains(feed))
            {
                Retire(feed);
            }
        }
    }

    // Under _gate.
    private void Retire(RoomFeed feed)
    {
        feed.RetireTimer?.Dispose();
        feed.RetireTimer = null;
        _all.Remove(feed);
        if (_shared.TryGetValue(feed.RoomId, out var current) && current == feed)
        {
            _shared.Remove(feed.RoomId);
        }

        metrics.FeedClosed();

        // On the thread pool: the unsubscribe (a grain call) never runs under this lock.
        var retiring = Task.Run(() => feed.DisposeAsync().AsTask());
        _retiring.Add(retiring);
        retiring.ContinueWith(
            done =>
            {
                lock (_gate)
                {
                    _retiring.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>A shared feed serializes each event once itself; one feed per socket shares the serializations through the cache.</summary>
    private Func<ChatEvent, byte[]> Serializer() =>
        Scope == FeedScope.Server ? ServerFrameWriter.Event : frames.Frame;
}
