using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// Reads a Redis server's <c>INFO</c> (the default sections: memory, persistence, stats, ...) over a connection of its
/// own, in RESP, so the harness needs no Redis client library. The read itself adds a few bytes to the server's
/// <c>total_net_input_bytes</c> (the 6 bytes of <c>INFO\r\n</c>).
/// </summary>
public static class RedisInfo
{
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(string endpoint, CancellationToken cancellationToken)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 ? int.Parse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture) : 6379;
        using var client = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(host, port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("INFO\r\n"u8.ToArray(), timeout.Token);

        // The answer is one bulk string: "$<length>\r\n<length bytes>\r\n" (or "-ERR ...\r\n").
        var received = new List<byte>(16 * 1024);
        var buffer = new byte[16 * 1024];
        int? length = null;
        var headerLength = 0;
        while (length is null || received.Count < headerLength + length)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException($"redis at {endpoint} closed the connection");
            }

            received.AddRange(buffer.AsSpan(0, read));
            if (length is null && received.IndexOf((byte)'\n') is var end and > 0)
            {
                var header = Encoding.ASCII.GetString([.. received.GetRange(0, end + 1)]).TrimEnd();
                if (!header.StartsWith('$'))
                {
                    throw new IOException($"redis at {endpoint} answered INFO with '{header}'");
                }

                length = int.Parse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
                headerLength = end + 1;
            }
        }

        var text = Encoding.UTF8.GetString([.. received.GetRange(headerLength, length.Value)]);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = line.IndexOf(':');
            if (separator > 0 && !line.StartsWith('#'))
            {
                fields[line[..separator]] = line[(separator + 1)..];
            }
        }

        return fields;
    }

    /// <summary>A whole-number field of an INFO answer, or null when it is missing.</summary>
    public static long? Number(IReadOnlyDictionary<string, string>? info, string name) =>
        info is not null && info.TryGetValue(name, out var value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
