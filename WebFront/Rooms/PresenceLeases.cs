using Microsoft.Extensions.Options;
using OrleansChat.Model;
using OrleansChat.WebFront.Logging;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// Renews the presence leases of this WebFront's sockets every third of <see cref="ChatLimits.LeaseTimeout"/>: rooms
/// in batches of <see cref="RoomsPerBatch"/>, each batch one call to a <see cref="ILeaseRenewalGrain"/> that renews
/// its rooms from inside the cluster. If this process dies, the leases lapse and the rooms remove its participants (no
/// ghost typers). Connections a room has forgotten rejoin; each feed checks against the room's sequence number that its
/// members were given every event (<see cref="RoomFeed.CheckDeliveredAsync"/>).
/// </summary>
internal sealed class PresenceLeases(
    RoomFeeds feeds,
    IGrainFactory grains,
    IOptions<ChatLimits> limits,
    ILogger<PresenceLeases> logger) : BackgroundService
{
    /// <summary>Rooms per renewal call.</summary>
    internal const int RoomsPerBatch = 500;

    /// <summary>Renewal calls in flight at once.</summary>
    internal const int BatchesInFlight = 4;

    private int _rounds;
    private int _failedCalls;

    /// <summary>How long the last round took (tests and diagnostics: it must stay well below the lease).</summary>
    public TimeSpan LastRound { get; private set; }

    /// <summary>Rounds completed since the start.</summary>
    public int Rounds => Volatile.Read(ref _rounds);

    /// <summary>Renewal calls that failed or timed out since the start (each is retried within its round).</summary>
    public int FailedCalls => Volatile.Read(ref _failedCalls);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = limits.Value.LeaseTimeout / 3;
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await RenewAllAsync(period, stoppingToken);
            LastRound = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Interlocked.Increment(ref _rounds);
        }
    }

    private async Task RenewAllAsync(TimeSpan period, CancellationToken stoppingToken)
    {
        var rooms = feeds.Feeds
            .GroupBy(f => f.RoomId, StringComparer.Ordinal)
            .Select(room => new RoomToRenew(
                room.Key,
                [.. room],
                room.SelectMany(f => f.Members).Where(m => m.IsJoined).DistinctBy(m => m.ConnectionId).ToDictionary(m => m.ConnectionId, StringComparer.Ordinal)))
            .Where(room => room.Members.Count > 0)
            .Chunk(RoomsPerBatch);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = BatchesInFlight, CancellationToken = stoppingToken };
        // A call that fails or times out (a silo stalled or restarting) is retried with backoff until half the lease
        // has gone since the round started, so one lost call does not cost a batch of rooms a whole renewal period.
        var roundStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var retryUntil = limits.Value.LeaseTimeout / 2;
        await Parallel.ForEachAsync(rooms, parallel, async (batch, cancellationToken) =>
        {
            var request = batch.Select(r => new RoomLeases(r.RoomId, [.. r.Members.Keys])).ToArray();
            var backoff = TimeSpan.FromMilliseconds(100);
            RoomLeaseRenewal[] answers;
            while (true)
            {
                try
                {
                    answers = await grains.GetGrain<ILeaseRenewalGrain>(0).RenewMany(request).WaitAsync(period, cancellationToken);
                    break;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failedCalls);
                    var retry = System.Diagnostics.Stopwatch.GetElapsedTime(roundStarted) + backoff < retryUntil;
                    WebFrontLog.LeaseRenewalFailed(logger, ex, batch.Length, batch[0].RoomId, retry);
                    if (!retry)
                    {
                        return;
                    }

                    await Task.Delay(backoff, cancellationToken);
                    backoff *= 2;
                }
            }

            for (var i = 0; i < batch.Length && i < answers.Length; i++)
            {
                if (answers[i].Renewal is { } renewal)
                {
                    await ApplyAsync(batch[i], renewal);
                }
            }
        });
    }

    private static async Task ApplyAsync(RoomToRenew room, LeaseRenewal renewal)
    {
        foreach (var id in renewal.UnknownConnections)
        {
            if (room.Members.TryGetValue(id, out var member))
            {
                member.RequestRejoin();
            }
        }

        foreach (var feed in room.Feeds)
        {
            await feed.CheckDeliveredAsync(renewal.Seq);
        }
    }

    private sealed record RoomToRenew(string RoomId, RoomFeed[] Feeds, Dictionary<string, IRoomMember> Members);
}
