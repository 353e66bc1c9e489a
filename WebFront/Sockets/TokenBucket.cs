using System.Diagnostics;

namespace OrleansChat.WebFront.Sockets;

/// <summary>A token bucket for one connection's frames (single reader loop: not thread-safe by design).</summary>
internal sealed class TokenBucket(int capacity, double refillPerSecond)
{
    private double _tokens = capacity;
    private long _last = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(capacity, _tokens + Stopwatch.GetElapsedTime(_last, now).TotalSeconds * refillPerSecond);
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
