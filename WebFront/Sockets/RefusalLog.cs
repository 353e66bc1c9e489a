using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Logging;

namespace OrleansChat.WebFront.Sockets;

/// <summary>Why an upgrade was refused before it became a chat socket.</summary>
internal enum RefusalReason
{
    Origin,
    ServerFull,
    AddressFull,
    Draining,
}

/// <summary>
/// Logs refused upgrades once per <see cref="ChatSocketOptions.RefusalLogInterval"/> and reason, with how many there
/// were, so a flood of refused requests costs a line a minute, not a line each; attacker-chosen text (an Origin
/// header) is shortened and stripped of control characters before it reaches a log.
/// </summary>
internal sealed class RefusalLog(IOptions<ChatSocketOptions> options, TimeProvider time, ILogger<RefusalLog> logger)
{
    private const int MaxSampleLength = 80;

    private readonly TimeSpan _interval = options.Value.RefusalLogInterval;
    private readonly ConcurrentDictionary<RefusalReason, Counter> _counters = new();

    public void Refused(RefusalReason reason, string? sample = null)
    {
        var counter = _counters.GetOrAdd(reason, _ => new Counter());
        var now = time.GetTimestamp();
        int count;
        lock (counter)
        {
            counter.Count++;
            if (counter.LastLoggedAt != 0 && time.GetElapsedTime(counter.LastLoggedAt, now) < _interval)
            {
                return;
            }

            count = counter.Count;
            counter.Count = 0;
            counter.LastLoggedAt = now;
        }

        WebFrontLog.UpgradesRefused(logger, count, reason, Sanitize(sample), _interval);
    }

    /// <summary>Printable ASCII only, at most <see cref="MaxSampleLength"/> characters.</summary>
    internal static string Sanitize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        var length = Math.Min(text.Length, MaxSampleLength);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = text[i] is >= ' ' and <= '~' ? text[i] : '?';
        }

        return text.Length > MaxSampleLength ? new string(chars) + "..." : new string(chars);
    }

    private sealed class Counter
    {
        public int Count;
        public long LastLoggedAt;
    }
}
