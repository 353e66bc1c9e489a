using System.Net;
using System.Net.Sockets;

namespace OrleansChat.Tests.Support;

/// <summary>
/// TCP ports for servers the tests start as separate processes (the process cluster's redis, silos, WebFronts,
/// nginx). Taken from below Linux's ephemeral range (32768–60999): a port the OS hands out as ephemeral can be taken
/// by any outgoing connection (an Orleans client, a redis client, another test assembly's cluster) between the
/// moment it was found free and the moment the server binds it; a CI run failed exactly that way ("address already
/// in use" for a WebFront's port). Each process starts at a random offset so test assemblies running side by side do
/// not walk the same ports, and this process walks on from the last port it handed out.
/// </summary>
public static class FreePort
{
    private const int First = 20_000;
    private const int Last = 32_000;

    private static readonly Lock Gate = new();
    private static int _next = First + Random.Shared.Next(Last - First);

    /// <summary>A TCP port that was free a moment ago and is outside the range the OS uses for outgoing connections.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < Last - First; attempt++)
            {
                var port = _next;
                _next = _next >= Last ? First : _next + 1;
                if (IsFree(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port between {First} and {Last}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
