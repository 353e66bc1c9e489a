using System.Threading.RateLimiting;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// The per-socket limits (frames, history pages) as <see cref="TokenBucketRateLimiter"/>s, the same type the new-room
/// limit keeps per address. No timer: the bucket is topped up by elapsed time when a token is asked for.
/// </summary>
internal static class SocketRateLimiters
{
    /// <summary>A bucket of <paramref name="burst"/> tokens refilled at <paramref name="perSecond"/> tokens a second.</summary>
    public static TokenBucketRateLimiter TokenBucket(double perSecond, int burst) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1 / perSecond),
        AutoReplenishment = false,
        QueueLimit = 0,
    });

    /// <summary>Takes a token if one is there (after topping the bucket up for the time that passed).</summary>
    public static bool TryTake(this TokenBucketRateLimiter limiter)
    {
        limiter.TryReplenish();
        using var lease = limiter.AttemptAcquire();
        return lease.IsAcquired;
    }
}
