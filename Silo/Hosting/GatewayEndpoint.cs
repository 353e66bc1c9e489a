using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OrleansChat.Hosting;

/// <summary>Parses a configured gateway (<c>Orleans:Gateways</c>, "host:port") into an endpoint, with a clear error.</summary>
public static class GatewayEndpoint
{
    public static IPEndPoint Parse(string gateway)
    {
        var separator = gateway.LastIndexOf(':');
        if (separator <= 0 || !int.TryParse(gateway.AsSpan(separator + 1), out var port) || port is < 1 or > 65535)
        {
            throw new OptionsValidationException(ChatClusterOptions.SectionName, typeof(ChatClusterOptions),
                [$"Orleans:Gateways: '{gateway}' is not host:port."]);
        }

        var host = gateway[..separator].Trim('[', ']');
        var address = IPAddress.TryParse(host, out var ip)
            ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new OptionsValidationException(ChatClusterOptions.SectionName, typeof(ChatClusterOptions),
                  [$"Orleans:Gateways: host '{host}' has no IPv4 address."]);
        return new IPEndPoint(address, port);
    }
}
