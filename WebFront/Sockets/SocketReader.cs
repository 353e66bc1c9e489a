using System.Buffers;
using System.Net.WebSockets;
using OrleansChat.Model;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// Reads one socket's frames and turns them into <see cref="ClientCommand"/>s, one at a time: size, frame type and
/// rate limits first, then parsing. Bad frames are answered with an error; abuse ends the loop with a close request.
/// </summary>
internal sealed class SocketReader(WebSocket socket, ChatSocketOptions options, ChatMetrics metrics, ILogger logger, string connectionId)
{
    private readonly System.Threading.RateLimiting.TokenBucketRateLimiter _bucket = SocketRateLimiters.TokenBucket(options.FramesPerSecond, options.FrameBurst);
    private long _floodWindowStart;
    private int _droppedInWindow;
    private long _lastRateErrorAt;

    /// <summary>Runs until the client closes (null) or breaks a rule (the close to send).</summary>
    public async Task<CloseRequest?> RunAsync(
        Func<ClientCommand, CancellationToken, Task> handle,
        Action<ProtocolError> sendError,
        CancellationToken cancellationToken)
    {
        using var bucket = _bucket;
        var limit = options.MaxFrameBytes;
        while (true)
        {
            // Wait for the next message without holding a buffer (a zero-byte read): most sockets are idle most of the
            // time, and a buffer rented for the socket's whole life would cost each of them 32 KiB.
            var first = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            switch (first.MessageType)
            {
                case WebSocketMessageType.Close:
                    return null;
                case WebSocketMessageType.Binary:
                    return Violation(WebSocketCloseStatus.InvalidMessageType, "Only text frames are accepted.");
            }

            ClientCommand? command;
            ProtocolError error;
            var rented = ArrayPool<byte>.Shared.Rent(limit + 1);
            try
            {
                var buffer = rented.AsMemory(0, limit + 1);
                var count = 0;
                var result = first;
                while (!result.EndOfMessage)
                {
                    if (count > limit)
                    {
                        return Violation(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {limit} bytes.");
                    }

                    result = await socket.ReceiveAsync(buffer[count..], cancellationToken);
                    switch (result.MessageType)
                    {
                        case WebSocketMessageType.Close:
                            return null;
                        case WebSocketMessageType.Binary:
                            return Violation(WebSocketCloseStatus.InvalidMessageType, "Only text frames are accepted.");
                    }

                    count += result.Count;
                }

                if (count > limit)
                {
                    return Violation(WebSocketCloseStatus.MessageTooBig, $"Frames are limited to {limit} bytes.");
                }

                metrics.FrameReceived();

                // Parse while the bytes are here; the buffer goes back to the pool before the (slow) grain call.
                ClientFrameParser.TryParse(buffer.Span[..count], out command, out error);
                if (!_bucket.TryTake())
                {
                    metrics.RateLimited();
                    if (RateLimited(command, sendError))
                    {
                        return Violation(WebSocketCloseStatus.PolicyViolation, "Too many frames.");
                    }

                    continue;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            if (command is not null)
            {
                await handle(command, cancellationToken);
            }
            else
            {
                sendError(error);
            }
        }
    }

    private CloseRequest Violation(WebSocketCloseStatus status, string reason)
    {
        WebFrontLog.ClosingForViolation(logger, connectionId, status, reason);
        return new CloseRequest(status, reason);
    }

    /// <summary>
    /// Drops the frame; true when it is a flood. A dropped commit is always answered with its id, so the client sends
    /// it again later (a well-behaved client's frames pile up while a slow room call holds the reader, and come in
    /// faster than they were sent); other dropped frames are reported at most once a second.
    /// </summary>
    private bool RateLimited(ClientCommand? command, Action<ProtocolError> sendError)
    {
        var now = Environment.TickCount64;
        if (now - _floodWindowStart > options.FloodWindow.TotalMilliseconds)
        {
            _floodWindowStart = now;
            _droppedInWindow = 0;
        }

        if (++_droppedInWindow >= options.FloodCloseThreshold)
        {
            return true;
        }

        if (command is CommitCommand { Id: { Length: > 0 } id } && ChatValidation.IsValidClientMessageId(id))
        {
            sendError(new(ErrorCodes.RateLimited, $"Slow down: at most {options.FramesPerSecond} frames a second. This message was not sent; send it again shortly.", id));
            return false;
        }

        if (now - _lastRateErrorAt >= 1000)
        {
            _lastRateErrorAt = now;
            sendError(new(ErrorCodes.RateLimited, $"Slow down: at most {options.FramesPerSecond} frames a second. Frames were dropped."));
        }

        return false;
    }
}
