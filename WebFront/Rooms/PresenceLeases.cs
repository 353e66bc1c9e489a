using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Logging;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// Renews the presence leases of this WebFront's sockets: one call per room (for all of the room's feeds and members)
/// every third of <see cref="ChatLimits.LeaseTimeout"/>. If this process dies, the leases lapse and the rooms remove
/// its participants (no ghost typers). Connections a room has forgotten rejoin; each feed checks against the room's
/// sequence number that its members were given every event (<see cref="RoomFeed.CheckDeliveredAsync"/>).
/// </summary>
internal sealed class PresenceLeases(
    RoomFeeds feeds,
    IOptions<ChatLimits> limits,
    ILogger<PresenceLeases> logger) : BackgroundService
{
    /// <summary>Renewal calls in flight at once.</summary>
    internal const int RenewalsInFlight = 64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = limits.Value.LeaseTimeout / 3;
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var rooms = feeds.Feeds.GroupBy(f => f.RoomId, StringComparer.Ordinal);
            // The calls wait on the network, not the CPU: many in flight, so a WebFront with hundreds of rooms renews
            // them all well within a period even when each call is slow (at the default parallelism of one per core,
            // 200 rooms under load took longer than the lease, and live users were expired).
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = RenewalsInFlight, CancellationToken = stoppingToken };
            await Parallel.ForEachAsync(rooms, parallel, async (room, cancellationToken) =>
            {
                var members = room.SelectMany(f => f.Members).Where(m => m.IsJoined).ToDictionary(m => m.ConnectionId, StringComparer.Ordinal);
                if (members.Count == 0)
                {
                    return;
                }

                try
                {
                    var renewal = await room.First().Room.RenewLeases([.. members.Keys]).WaitAsync(period, cancellationToken);
                    foreach (var id in renewal.UnknownConnections)
                    {
                        if (members.TryGetValue(id, out var member))
                        {
                            member.RequestRejoin();
                        }
                    }

                    foreach (var feed in room)
                    {
                        await feed.CheckDeliveredAsync(renewal.Seq);
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    WebFrontLog.LeaseRenewalFailed(logger, ex, room.Key);
                }
            });
        }
    }
}
