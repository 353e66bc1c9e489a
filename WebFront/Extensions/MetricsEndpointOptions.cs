using System.ComponentModel.DataAnnotations;
using System.Net;

namespace OrleansChat.WebFront.Extensions;

/// <summary>
/// Where the Prometheus scrape endpoint (<c>/metrics</c>) listens, bound from <c>Chat:Metrics</c>: a port of its own,
/// never the public one (hiding a path on the public listener is one case-variant away from leaking), on loopback unless
/// told otherwise (in a container, the container network's address, never published to the host or the internet).
/// </summary>
public sealed class MetricsEndpointOptions : IValidatableObject
{
    public const string SectionName = "Chat:Metrics";

    /// <summary>Port of the metrics listener; 0 turns the endpoint off.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 9464;

    /// <summary>Address the metrics listener binds to (<c>0.0.0.0</c> for every interface of a container).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>
    /// Collect Orleans' per-message size histograms (<c>orleans-messaging-sent-messages-size</c>,
    /// <c>orleans-messaging-received-messages-size</c>). Off by default: once a listener enables them, every Orleans
    /// message is recorded twice with three tags (docs/measurements.md). Orleans' other metrics are always collected.
    /// </summary>
    public bool OrleansMessageSizes { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Address, out _))
        {
            yield return new ValidationResult($"Chat:Metrics:Address '{Address}' is not an IP address.", [nameof(Address)]);
        }
    }

    internal string Url => $"http://{(Address.Contains(':', StringComparison.Ordinal) ? "[" + Address + "]" : Address)}:{Port}";
}
