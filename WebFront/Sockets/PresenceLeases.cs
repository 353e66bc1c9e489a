using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Logging;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// Renews the presence leases of this WebFront's sockets, one call per room every third of
/// <see cref="ChatLimits.LeaseTimeout"/>. If this process dies, the leases lapse and the rooms remove its
/// participants (no ghost typers). Connections a room has forgotten are told to rejoin.
/// </summary>
internal sealed class PresenceLeases(
    ConnectionRegistry registry,
    IClusterClient cluster,
    IOptions<ChatLimits> limits,
    ILogger<PresenceLeases> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(limits.Value.LeaseTimeout / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var rooms = registry.Connections
                .Where(c => c.RoomId is not null)
                .GroupBy(c => c.RoomId!);
            await Parallel.ForEachAsync(rooms, stoppingToken, async (room, cancellationToken) =>
            {
                var connections = room.ToDictionary(c => c.ConnectionId);
                try
                {
                    var renewal = await cluster.GetGrain<IChatRoomGrain>(room.Key)
                        .RenewLeases([.. connections.Keys])
                        .WaitAsync(limits.Value.LeaseTimeout / 3, cancellationToken);
                    foreach (var id in renewal.UnknownConnections)
                    {
                        if (connections.TryGetValue(id, out var connection))
                        {
                            connection.RequestRejoin();
                        }
                    }

                    // An event lost in the stream (e.g. while a silo died) shows up as a gap at the next event; when no
                    // event follows, this catches it: a socket still short of the room's sequence a renewal later resyncs.
                    foreach (var connection in connections.Values)
                    {
                        connection.CheckCaughtUp(renewal.Seq);
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
