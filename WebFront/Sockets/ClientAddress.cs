using System.Net;
using System.Net.Sockets;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// The key a client address is counted under by the per-address limits: IPv4 addresses as they are (IPv4-mapped IPv6
/// addresses too), IPv6 addresses by their /64 network, because one subscriber usually holds a whole /64 and could
/// otherwise take a fresh address for every connection.
/// </summary>
internal static class ClientAddress
{
    public static IPAddress? Key(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
