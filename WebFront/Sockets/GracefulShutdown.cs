using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Rooms;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// On SIGTERM: stop accepting sockets, send every client a <c>goingAway</c> frame and close 1012 so it reconnects
/// (through the load balancer, to another WebFront), wait until each has left its room, then unsubscribe every room
/// feed.
/// Registered after the Orleans client, so it stops before it: the goodbyes still reach the cluster.
/// </summary>
internal sealed class GracefulShutdown(
    ConnectionRegistry registry,
    RoomFeeds feeds,
    IHostApplicationLifetime lifetime,
    ILogger<GracefulShutdown> logger)
    : IHostedService
{
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(() =>
        {
            WebFrontLog.Draining(logger, registry.OpenConnections);
            registry.BeginDraining();
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync();
        registry.BeginDraining();
        try
        {
            await registry.WhenAllClosedAsync(cancellationToken);
            await feeds.RetireUnusedAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            WebFrontLog.DrainTimedOut(logger, registry.OpenConnections);
        }
    }
}
