using System.Net.WebSockets;

namespace OrleansChat.WebFront.Sockets;

/// <summary>How the server closes a socket: a WebSocket close status and a reason for the client.</summary>
internal sealed record CloseRequest(WebSocketCloseStatus Status, string Reason)
{
    /// <summary>1012 Service Restart: the client should reconnect (the load balancer picks another server).</summary>
    public static CloseRequest ServiceRestart { get; } = new((WebSocketCloseStatus)1012, "The server is restarting; reconnect.");
}
