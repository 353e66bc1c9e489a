using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Hosting;

/// <summary>Orleans settings of a chat silo or client, bound from the <c>Orleans</c> configuration section.</summary>
public sealed class ChatClusterOptions : IValidatableObject
{
    public const string SectionName = "Orleans";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Orleans:ClusterId must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string ClusterId { get; set; } = "orleans-chat";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Orleans:ServiceId must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string ServiceId { get; set; } = "orleans-chat";

    /// <summary>
    /// Gateways ("host:port") of an existing cluster. When set, WebFront is an Orleans client of that cluster
    /// instead of hosting a silo in-process.
    /// </summary>
    public string[] Gateways { get; set; } = [];

    /// <summary>
    /// WebFront only: host a silo of the cluster in this process instead of connecting to separate silos as a client
    /// ("co-hosted"). With <c>ConnectionStrings:Redis</c> every WebFront joins the Redis cluster as a silo: a room's
    /// calls and events cross between processes only when its members are on another node, and there is no gateway
    /// hop. Without Redis it is the embedded default. Cannot be combined with <see cref="Gateways"/>.
    /// </summary>
    public bool HostSilo { get; set; }

    /// <summary>
    /// The address a silo advertises to the rest of the cluster in Redis cluster mode (an IP or a host name);
    /// default: this machine's primary IPv4 address. Silos always listen on all interfaces in that mode.
    /// </summary>
    [StringLength(253)]
    public string? AdvertisedIP { get; set; }

    /// <summary>How long a grain call may wait for its response (Orleans default: 30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Membership probe timeout; with <see cref="NumMissedProbesLimit"/> it decides how fast a dead silo is noticed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 10)]
    public int NumMissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// How long a silo's gateway keeps a disconnected client (a WebFront) before it drops it and refuses messages to
    /// it (Orleans default: 1 min; checked every this long, so a client goes 1-2 of these after its connection).
    /// Measured in S6 (bench/results/ANALYSIS.md): with the default, a WebFront killed with SIGKILL stayed subscribed
    /// to every room it served for 1-2 minutes; each event to it waited the response timeout, and a silo kill in that
    /// time stalled every room's stream for ~12 s and half of them for good. Dropped sooner, the pulling agents are
    /// told the client is gone and remove its subscriptions.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClientDropTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Port of the silo host's HTTP endpoint (health at /healthz, the Orleans dashboard at /dashboard); 0 turns HTTP off
    /// altogether (no listener at all).
    /// </summary>
    [Range(0, 65535)]
    public int DashboardPort { get; set; } = 8080;

    /// <summary>
    /// Whether the silo runs the Orleans dashboard at all (when false the HTTP port serves /healthz only). Running it
    /// costs CPU whether anyone looks or not: it collects every Orleans metric once a second (a fixed interval of
    /// the dashboard's own), measured at ~1.5 % of a core per idle silo (docs/measurements.md).
    /// </summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>
    /// Address the silo's HTTP endpoint binds to: loopback by default. The dashboard shows grain state and live logs, so
    /// on any other address it is served only with <see cref="DashboardPassword"/> set (HTTP basic authentication);
    /// without one, only /healthz is.
    /// </summary>
    public string DashboardAddress { get; set; } = "127.0.0.1";

    /// <summary>User name for the dashboard's basic authentication.</summary>
    [StringLength(64, MinimumLength = 1)]
    public string DashboardUser { get; set; } = "admin";

    /// <summary>
    /// Password for the dashboard (required to serve it on a non-loopback address); at least 12 characters. Empty is the
    /// same as unset.
    /// </summary>
    [StringLength(256)]
    [RegularExpression("^$|^.{12,}$", ErrorMessage = "Orleans:DashboardPassword must be at least 12 characters (or empty: no dashboard beyond loopback).")]
    public string? DashboardPassword { get; set; }

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (WebFronts) connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// How the room streams' queues are read: <see cref="StreamQueues.Waiting"/> (a read waits for the next batch)
    /// or <see cref="StreamQueues.Polled"/> (Orleans' memory streams, read every <see cref="StreamPollPeriod"/>).
    /// Silos and clients must agree.
    /// </summary>
    public StreamQueues StreamQueues { get; set; } = StreamQueues.Waiting;

    /// <summary>With waiting queues: how long a read waits on an empty queue before it is made again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan StreamQueueWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How much longer than <see cref="StreamQueueWait"/> a grain call must be allowed to wait for its response.</summary>
    private static readonly TimeSpan QueueReadMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a pulling agent waits after an empty read before it reads its queue again. With polled queues this
    /// is the floor of chunk latency, and its cost is idle CPU (docs/measurements.md); with waiting queues an empty
    /// read only happens when a wait ends, so it costs nothing while a read waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan StreamPollPeriod { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// I/O queues of Orleans' socket transport (silo-to-silo, gateway and client connections); 0 runs socket
    /// continuations straight on the thread pool. Unset: Orleans' default, one per core up to 16.
    /// </summary>
    [Range(0, 16)]
    public int? IOQueueCount { get; set; }

    /// <summary>
    /// Where a room grain is activated: <see cref="RoomPlacement.StreamQueue"/> (the default) on the silo of its
    /// stream's queue, so its publishes stay inside that silo; <see cref="RoomPlacement.Random"/> on any silo.
    /// Only the waiting queues have a queue grain to follow; with polled queues rooms are placed at random.
    /// </summary>
    public RoomPlacement RoomPlacement { get; set; } = RoomPlacement.StreamQueue;

    /// <summary>
    /// How the stream queues are shared out among the silos' pulling agents: <see cref="QueueBalancer.Even"/> (the
    /// default) the same number to each active silo; <see cref="QueueBalancer.Ring"/> Orleans' consistent-ring balancer,
    /// whose split of a handful of queues is a matter of luck. Rooms follow their queue, so this is also how rooms are
    /// spread (docs/measurements.md).
    /// </summary>
    public QueueBalancer QueueBalancer { get; set; } = QueueBalancer.Even;

    /// <summary>Number of memory stream queues (each has a pulling agent polling it).</summary>
    [Range(1, 256)]
    public int StreamQueueCount { get; set; } = 4;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A queue read (a pulling agent's, a WebFront's tap) waits up to StreamQueueWait inside one grain call.
        if (StreamQueueWait + QueueReadMargin > ResponseTimeout)
        {
            yield return new ValidationResult(
                $"must be shorter than Orleans:ResponseTimeout ({ResponseTimeout}) by at least {QueueReadMargin.TotalMilliseconds:0} ms: a stream queue read waits that long inside one grain call.",
                [nameof(StreamQueueWait)]);
        }
    }
}

/// <summary>How the room streams' queues are read (<see cref="ChatClusterOptions.StreamQueues"/>).</summary>
public enum StreamQueues
{
    /// <summary>The pulling agent's read waits in the queue grain until a batch is queued: no polling.</summary>
    Waiting,

    /// <summary>Orleans' memory streams: the pulling agent polls its queue grain every poll period.</summary>
    Polled,
}

/// <summary>How stream queues are shared out among silos (<see cref="ChatClusterOptions.QueueBalancer"/>).</summary>
public enum QueueBalancer
{
    /// <summary>Evenly: the active silos sorted by address, queue i to silo i mod n.</summary>
    Even,

    /// <summary>Orleans' default consistent-ring balancer.</summary>
    Ring,
}

/// <summary>Where room grains are activated (<see cref="ChatClusterOptions.RoomPlacement"/>).</summary>
public enum RoomPlacement
{
    /// <summary>On the silo that hosts the room stream's queue grain: publishing stays inside one silo.</summary>
    StreamQueue,

    /// <summary>On a random compatible silo.</summary>
    Random,
}
