using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>Admits a WebSocket upgrade (method, origin, capacity) and runs a <see cref="ChatConnection"/> on it.</summary>
internal sealed class ChatSocketHandler(
    RoomFeeds feeds,
    NewRoomLimiter newRooms,
    OriginPolicy origins,
    ConnectionRegistry registry,
    ServerIdentity server,
    IOptions<ChatSocketOptions> socketOptions,
    IOptions<ChatLimits> limits,
    IOptions<RelayOptions> relay,
    ChatMetrics metrics,
    ILogger<ChatConnection> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint only accepts WebSocket upgrades.", context.RequestAborted);
            return;
        }

        if (!origins.IsAllowed(context.Request))
        {
            WebFrontLog.OriginRefused(logger, context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("This origin may not open a chat socket.", context.RequestAborted);
            return;
        }

        if (!registry.TryOpen())
        {
            WebFrontLog.TooManyConnections(logger, registry.OpenConnections);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            await context.Response.WriteAsync(
                registry.IsDraining ? "This server is shutting down; reconnect." : "This server is at its connection limit; try again shortly.",
                context.RequestAborted);
            return;
        }

        ChatConnection? connection = null;
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var room = new RoomServices(feeds, newRooms, socketOptions.Value, limits.Value, relay.Value, server.Id);
            connection = new ChatConnection(socket, room, context.Connection.RemoteIpAddress, metrics, logger);
            metrics.ConnectionOpened();
            var running = connection.RunAsync(context.RequestAborted);
            registry.Track(connection, running);
            await running;
        }
        finally
        {
            if (connection is not null)
            {
                metrics.ConnectionClosed();
            }

            registry.Close(connection);
        }
    }
}
