using Microsoft.Extensions.Options;
using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// Admits a WebSocket upgrade (method, origin, capacity of the server and of the client's address) and runs a
/// <see cref="ChatConnection"/> on it. Refusals are plain HTTP answers before the upgrade, logged by
/// <see cref="RefusalLog"/>.
/// </summary>
internal sealed class ChatSocketHandler(
    RoomFeeds feeds,
    NewRoomLimiter newRooms,
    OriginPolicy origins,
    ConnectionRegistry registry,
    RefusalLog refusals,
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
            refusals.Refused(RefusalReason.Origin, context.Request.Headers.Origin.ToString());
            await RefuseAsync(context, StatusCodes.Status403Forbidden, "This origin may not open a chat socket.");
            return;
        }

        // Behind a trusted proxy this is the forwarded client address (the forwarded-headers middleware ran first).
        var address = ClientAddress.Key(context.Connection.RemoteIpAddress);
        var admission = registry.TryOpen(address, out var slot);
        switch (admission)
        {
            case Admission.Draining:
                refusals.Refused(RefusalReason.Draining);
                await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "This server is shutting down; reconnect.", retryAfter: "1");
                return;
            case Admission.ServerFull:
                refusals.Refused(RefusalReason.ServerFull);
                await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "This server is at its connection limit; try again shortly.", retryAfter: "5");
                return;
            case Admission.AddressFull:
                refusals.Refused(RefusalReason.AddressFull, address?.ToString());
                await RefuseAsync(
                    context,
                    StatusCodes.Status429TooManyRequests,
                    $"Your address already has {socketOptions.Value.MaxConnectionsPerAddress} chat sockets open on this server; close some first.",
                    retryAfter: "10");
                return;
        }

        ChatConnection? connection = null;
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var room = new RoomServices(feeds, newRooms, socketOptions.Value, limits.Value, relay.Value, server.Id);
            connection = new ChatConnection(socket, room, address, metrics, logger);
            metrics.ConnectionOpened();
            var running = connection.RunAsync(context.RequestAborted);
            registry.Track(connection, running);
            if (registry.IsDraining)
            {
                // Draining began between the admission and the tracking: this socket missed the call.
                connection.GoAway();
            }

            await running;
        }
        finally
        {
            if (connection is not null)
            {
                metrics.ConnectionClosed();
            }

            registry.Close(connection, slot!);
        }
    }

    private static async Task RefuseAsync(HttpContext context, int status, string message, string? retryAfter = null)
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(message, context.RequestAborted);
    }
}
