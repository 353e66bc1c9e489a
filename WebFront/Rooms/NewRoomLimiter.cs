using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// How many new rooms each client address may create per minute (<see cref="ChatLimits.NewRoomsPerMinutePerAddress"/>),
/// so a loop of "join a random room" cannot fill the history store: a token bucket per address holding a minute's
/// worth, refilled evenly over the minute. A join first asks the room without the right to create it; only a room that
/// does not exist yet takes a permit, and the join is asked again with it. Behind a load balancer the address is the
/// forwarded client address (ASP.NET Core's forwarded-headers middleware, trusted proxies only).
/// </summary>
/// <remarks>
/// No timer: each bucket is topped up by the time that passed when it is asked (the per-socket limits' way,
/// <see cref="SocketRateLimiters"/>); a partitioned rate limiter's clock would wake the process ten times a second,
/// idle or not. Buckets that are full again (a minute after their address's last new room) are let go now and then.
/// </remarks>
internal sealed class NewRoomLimiter : IDisposable
{
    private readonly int _perMinute;
    private readonly long _sweepEveryMs;
    private readonly ConcurrentDictionary<IPAddress, TokenBucketRateLimiter> _buckets = new();
    private long _nextSweep;

    public NewRoomLimiter(IOptions<ChatLimits> limits)
        : this(limits, TimeSpan.FromMinutes(1))
    {
    }

    /// <summary>With full buckets let go every <paramref name="sweepEvery"/> (tests; a minute otherwise).</summary>
    internal NewRoomLimiter(IOptions<ChatLimits> limits, TimeSpan sweepEvery)
    {
        _perMinute = limits.Value.NewRoomsPerMinutePerAddress;
        _sweepEveryMs = (long)sweepEvery.TotalMilliseconds;
        _nextSweep = Environment.TickCount64 + _sweepEveryMs;
    }

    /// <summary>No cap: every join may create its room at once.</summary>
    public bool IsUnlimited => _perMinute == 0;

    /// <summary>Addresses with a bucket that is not full (they created a room within the last minute or so).</summary>
    public int TrackedAddresses => _buckets.Count;

    /// <summary>True when this address may create one more room now; the permit is used up.</summary>
    public bool TryTake(IPAddress? address)
    {
        if (IsUnlimited || address is null)
        {
            return true;
        }

        SweepNowAndThen();
        var bucket = _buckets.GetOrAdd(address, static (_, perMinute) => SocketRateLimiters.TokenBucket(perMinute / 60.0, perMinute), _perMinute);
        return bucket.TryTake();
    }

    /// <summary>
    /// Lets go of the buckets that are full again. A take racing with the removal of its bucket may be forgotten: that
    /// address gets a full bucket one permit early, at most once a sweep. A bucket let go is not disposed (it holds no
    /// timer), so such a take still works on it.
    /// </summary>
    private void SweepNowAndThen()
    {
        var next = Volatile.Read(ref _nextSweep);
        var now = Environment.TickCount64;
        if (now < next || Interlocked.CompareExchange(ref _nextSweep, now + _sweepEveryMs, next) != next)
        {
            return;
        }

        foreach (var (address, bucket) in _buckets)
        {
            bucket.TryReplenish();
            if (bucket.GetStatistics()?.CurrentAvailablePermits >= _perMinute)
            {
                _buckets.TryRemove(new KeyValuePair<IPAddress, TokenBucketRateLimiter>(address, bucket));
            }
        }
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }
}
