using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// How many new rooms each client address created in the last minute (<see cref="ChatLimits.NewRoomsPerMinutePerAddress"/>),
/// so a loop of "join a random room" cannot fill the history store. A join takes a slot before it asks the room, and
/// gives it back when the room already existed. Behind a load balancer the address is the forwarded client address
/// (ASP.NET Core's forwarded-headers middleware, trusted proxies only).
/// </summary>
internal sealed class NewRoomLimiter(IOptions<ChatLimits> limits, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int SweepEvery = 1_024;

    private readonly int _perMinute = limits.Value.NewRoomsPerMinutePerAddress;
    private readonly Dictionary<IPAddress, List<DateTimeOffset>> _created = [];
    private readonly Lock _gate = new();
    private int _calls;

    /// <summary>True when this address may create a room now; the slot is taken (see <see cref="Release"/>).</summary>
    public bool TryTake(IPAddress? address)
    {
        if (_perMinute == 0 || address is null)
        {
            return true;
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (++_calls % SweepEvery == 0)
            {
                Sweep(now);
            }

            if (!_created.TryGetValue(address, out var times))
            {
                times = [];
                _created.Add(address, times);
            }

            Expire(times, now);
            if (times.Count >= _perMinute)
            {
                return false;
            }

            times.Add(now);
            return true;
        }
    }

    /// <summary>Gives back a slot taken for a join that created nothing (the room existed, or the join failed).</summary>
    public void Release(IPAddress? address)
    {
        if (_perMinute == 0 || address is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_created.TryGetValue(address, out var times) && times.Count > 0)
            {
                // The newest slot is the one being given back (at most NewRoomsPerMinutePerAddress are held).
                times.RemoveAt(times.Count - 1);
            }
        }
    }

    /// <summary>Addresses currently tracked (tests: the table does not grow without bound).</summary>
    public int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                Sweep(time.GetUtcNow());
                return _created.Count;
            }
        }
    }

    private static void Expire(List<DateTimeOffset> times, DateTimeOffset now) =>
        times.RemoveAll(at => now - at >= Window);

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (address, times) in _created)
        {
            Expire(times, now);
            if (times.Count == 0)
            {
                _created.Remove(address);
            }
        }
    }
}
