using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A WebSocket client written on a bare TCP socket, for what <see cref="System.Net.WebSockets.ClientWebSocket"/> will
/// not do: send custom upgrade headers freely, and vanish without answering pings or closing (a half-open client,
/// like a laptop that went to sleep). It does the handshake and sends masked text frames; it reads nothing unless asked.
/// </summary>
public sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp, string responseHead)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        ResponseHead = responseHead;
    }

    /// <summary>The server's answer to the upgrade: status line and headers.</summary>
    public string ResponseHead { get; }

    public bool Upgraded => ResponseHead.StartsWith("HTTP/1.1 101", StringComparison.Ordinal);

    public static async Task<RawWebSocketClient> ConnectAsync(Uri socketUri, IDictionary<string, string>? headers = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(socketUri.Host, socketUri.Port);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder()
            .Append("GET ").Append(socketUri.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(socketUri.Authority).Append("\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n")
            .Append("Sec-WebSocket-Version: 13\r\n");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        request.Append("\r\n");
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));

        // Read the response head byte by byte, so nothing after it (the first frames) is consumed.
        var head = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(ChatSocket.DefaultTimeout);
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, timeout.Token) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        return new RawWebSocketClient(tcp, Encoding.ASCII.GetString([.. head]));
    }

    /// <summary>Sends one masked text frame.</summary>
    public async Task SendTextAsync(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        for (var i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ mask[i % 4]));
        }

        await _stream.WriteAsync(frame.ToArray());
    }

    /// <summary>True once the server has closed the TCP connection (reads what is left until the end).</summary>
    public async Task<bool> WaitForServerToDropAsync(TimeSpan timeout)
    {
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
