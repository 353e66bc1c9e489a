using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace OrleansChat.Hosting;

/// <summary>Finds the address a silo tells the cluster to reach it at.</summary>
public static class AdvertisedAddress
{
    /// <summary>The configured IP or host name, else this machine's primary IPv4 address.</summary>
    public static IPAddress Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (IPAddress.TryParse(configured, out var ip))
            {
                return ip;
            }

            return Dns.GetHostAddresses(configured).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new OptionsValidationException(ChatClusterOptions.SectionName, typeof(ChatClusterOptions),
                    [$"Orleans:AdvertisedIP: '{configured}' does not resolve to an IPv4 address."]);
        }

        return PrimaryIPv4() ?? IPAddress.Loopback;
    }

    private static IPAddress? PrimaryIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .OrderByDescending(n => n.GetIPProperties().GatewayAddresses.Count)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
