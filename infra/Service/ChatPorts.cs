namespace OrleansChat.Infra.Service;

/// <summary>The ports OrleansChat listens on (see docker/entrypoint.sh and the README's configuration table).</summary>
public static class ChatPorts
{
    /// <summary>WebFront: HTTP, the <c>/ws</c> WebSocket endpoint, <c>/healthz</c> and <c>/ready</c>; the ALB's target.</summary>
    public const int WebFront = 3000;

    /// <summary>Silo to silo (<c>Orleans__SiloPort</c>).</summary>
    public const int Silo = 11111;

    /// <summary>Orleans clients (the WebFronts) to a silo's gateway (<c>Orleans__GatewayPort</c>).</summary>
    public const int Gateway = 30000;

    /// <summary>
    /// The silo's dashboard and <c>/healthz</c> (<c>Orleans__DashboardPort</c>), bound to the instance's loopback:
    /// reachable through SSM port forwarding only.
    /// </summary>
    public const int SiloDashboard = 8080;

    /// <summary>The WebFront's Prometheus endpoint (<c>Chat__Metrics__Port</c>), bound to the instance's loopback.</summary>
    public const int WebFrontMetrics = 9464;

    public const int Redis = 6379;

    public const int Http = 80;

    public const int Https = 443;
}
