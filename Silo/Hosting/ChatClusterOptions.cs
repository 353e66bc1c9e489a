using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Hosting;

/// <summary>Orleans settings of a chat silo or client, bound from the <c>Orleans</c> configuration section.</summary>
public sealed class ChatClusterOptions
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

    /// <summary>Port of the silo host's HTTP endpoint (Orleans dashboard at /, health at /healthz); 0 turns it off.</summary>
    [Range(0, 65535)]
    public int DashboardPort { get; set; } = 8080;

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (WebFronts) connect to.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// How long a memory-stream pulling agent waits after an empty read before it polls its queue again.
    /// This is the floor of chunk latency, and its cost is idle CPU; see docs/measurements.md for the numbers
    /// behind the default.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan StreamPollPeriod { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Number of memory stream queues (each has a pulling agent polling it).</summary>
    [Range(1, 256)]
    public int StreamQueueCount { get; set; } = 4;
}
