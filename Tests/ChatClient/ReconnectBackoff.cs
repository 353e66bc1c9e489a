namespace OrleansChat.Client;

/// <summary>
/// The browser's reconnect delays (WebFront/ClientApp/src/session/backoff.ts): 250 ms doubling up to 10 s, of which a
/// random half is taken off ("equal jitter": the delay is in [cap/2, cap]), so a restarted server is not hit by every
/// client at once. A connection that stayed up for <see cref="StableConnection"/> starts over at the first delay.
/// </summary>
public static class ReconnectBackoff
{
    public static readonly TimeSpan Base = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    /// <summary>A connection that stayed up this long resets the backoff (chatSession.ts stableConnectionMs).</summary>
    public static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(10);

    /// <summary>Wait before re-sending a commit the room could not take right now, plus up to as much again of jitter.</summary>
    public static readonly TimeSpan CommitRetry = TimeSpan.FromMilliseconds(1_500);

    /// <summary>The wait before reconnect attempt <paramref name="attempt"/> (0 for the first retry).</summary>
    public static TimeSpan Delay(int attempt, Random random)
    {
        var cap = Math.Min(Max.TotalMilliseconds, Base.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30)));
        return TimeSpan.FromMilliseconds((cap / 2) + (random.NextDouble() * cap / 2));
    }

    /// <summary>The wait before re-sending a commit refused as unavailable or rate limited.</summary>
    public static TimeSpan CommitRetryDelay(Random random) =>
        CommitRetry + TimeSpan.FromMilliseconds(random.NextDouble() * CommitRetry.TotalMilliseconds);
}
