using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Silo.Hosting;

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
    public TimeSpan StreamPollPeriod { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Number of memory stream queues (each has a pulling agent polling it).</summary>
    [Range(1, 256)]
    public int StreamQueueCount { get; set; } = 4;
}
