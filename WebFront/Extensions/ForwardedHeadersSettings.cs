using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OrleansChat.WebFront.Extensions;

/// <summary>
/// Which proxies may tell WebFront the client's address (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>), bound from
/// <c>Chat:ForwardedHeaders</c>. Every per-address limit counts that address, so the header is believed only from a
/// connection that comes from a listed proxy or network; from anyone else it is ignored and the connection's own
/// address counts. With neither list set, loopback is trusted (a proxy on the same host, such as the local cluster's
/// nginx); setting either list replaces that default.
/// </summary>
public sealed class ForwardedHeadersSettings : IValidatableObject
{
    public const string SectionName = "Chat:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies (for example <c>10.0.1.5</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation (for example the VPC of a load balancer, <c>10.0.0.0/16</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row may forward (the entries taken from the end of <c>X-Forwarded-For</c>).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies)
        {
            if (!IPAddress.TryParse(proxy, out _))
            {
                yield return new ValidationResult($"'{proxy}' is not an IP address.", [nameof(KnownProxies)]);
            }
        }

        foreach (var network in KnownNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                yield return new ValidationResult($"'{network}' is not a network in CIDR notation (such as 10.0.0.0/16).", [nameof(KnownNetworks)]);
            }
        }
    }

    /// <summary>Applies these settings to ASP.NET Core's forwarded-headers middleware.</summary>
    internal void ApplyTo(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.ForwardLimit = ForwardLimit;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        if (KnownProxies.Length == 0 && KnownNetworks.Length == 0)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("127.0.0.0/8"));
            options.KnownProxies.Add(IPAddress.IPv6Loopback);
        }

        foreach (var proxy in KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
