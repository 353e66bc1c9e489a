using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Sockets;

/// <summary>Limits and behaviour of the <c>/ws</c> endpoint, bound from <c>Chat:Socket</c>.</summary>
public sealed class ChatSocketOptions
{
    public const string SectionName = "Chat:Socket";

    /// <summary>Largest text frame accepted, in bytes; a bigger one closes the socket with 1009.</summary>
    [Range(1_024, 1_048_576)]
    public int MaxFrameBytes { get; set; } = 16 * 1024;

    /// <summary>Sustained frames per second one connection may send (token bucket refill rate).</summary>
    [Range(1, 10_000)]
    public int FramesPerSecond { get; set; } = 30;

    /// <summary>Frames one connection may send in a burst (token bucket capacity).</summary>
    [Range(1, 10_000)]
    public int FrameBurst { get; set; } = 60;

    /// <summary>
    /// Scrollback pages (<c>history</c> frames) one connection may ask for per second, sustained: each can carry up to
    /// 100 messages, so it is limited apart from <see cref="FramesPerSecond"/>.
    /// </summary>
    [Range(0.1, 1_000)]
    public double HistoryRequestsPerSecond { get; set; } = 2;

    /// <summary>Scrollback pages one connection may ask for in a burst.</summary>
    [Range(1, 1_000)]
    public int HistoryBurst { get; set; } = 5;

    /// <summary>Frames dropped for rate within <see cref="FloodWindow"/> after which the socket is closed with 1008.</summary>
    [Range(1, 100_000)]
    public int FloodCloseThreshold { get; set; } = 200;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan FloodWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frames waiting for a slow socket before it is considered behind (then it is resynchronised).</summary>
    [Range(8, 100_000)]
    public int OutboundQueueCapacity { get; set; } = 256;

    /// <summary>How long one send may take before the socket is considered dead and aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>WebSocket ping interval; keep it below any proxy's idle timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the server waits for the pong that answers its ping. A client that vanished without a TCP close
    /// (pulled cable, sleeping laptop) is closed within <see cref="KeepAliveInterval"/> + this, and leaves its room.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A socket that has not joined a room within this is closed (1008, "join within ...").</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Shortest time between two welcome snapshots sent to one socket after its first (resyncs, rejoins): a welcome
    /// can be large, a <c>resync</c> frame is 17 bytes. Requests in between are coalesced into one welcome.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MinWelcomeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a grain call (join, chunk, commit, ...) may take before the client gets an error.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan GrainCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open sockets this WebFront accepts; more get HTTP 503 before the upgrade.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Open sockets one client address may hold on this WebFront; more get HTTP 429. Zero: no cap (the load tool sets
    /// that). Behind a load balancer the address is the one its trusted proxy forwarded (<c>Chat:ForwardedHeaders</c>).
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxConnectionsPerAddress { get; set; } = 200;

    /// <summary>How often a refusal (bad origin, connection limits) is logged per reason: once, with a count, per interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RefusalLogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Origins (scheme://host[:port]) allowed besides the page's own host. Requests without an Origin header
    /// (non-browser clients) are allowed; "*" allows every origin.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Name this WebFront reports in welcome frames; default: machine name and process id.</summary>
    [StringLength(128)]
    public string? ServerId { get; set; }
}
