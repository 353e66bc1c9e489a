using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// How many new rooms each client address may create per minute (<see cref="ChatLimits.NewRoomsPerMinutePerAddress"/>),
/// so a loop of "join a random room" cannot fill the history store: a sliding-window limiter partitioned by address
/// (the same limiter types as every other limit). A join first asks the room without the right to create it; only a
/// room that does not exist yet takes a permit, and the join is asked again with it. Behind a load balancer the address
/// is the forwarded client address (ASP.NET Core's forwarded-headers middleware, trusted proxies only).
/// </summary>
internal sealed class NewRoomLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress?> _limiter;

    public NewRoomLimiter(IOptions<ChatLimits> limits)
    {
        var perMinute = limits.Value.NewRoomsPerMinutePerAddress;
        IsUnlimited = perMinute == 0;
        _limiter = PartitionedRateLimiter.Create<IPAddress?, IPAddress>(address =>
            IsUnlimited || address is null
                ? RateLimitPartition.GetNoLimiter(IPAddress.None)
                : RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 6,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
    }

    /// <summary>No cap: every join may create its room at once.</summary>
    public bool IsUnlimited { get; }

    /// <summary>True when this address may create one more room now; the permit is used up.</summary>
    public bool TryTake(IPAddress? address)
    {
        using var lease = _limiter.AttemptAcquire(address);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
