using System.Net.WebSockets;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// The one loop that sends on a socket: it takes frames from the socket's <see cref="SocketOutbox"/> and sends them,
/// nothing else (it never calls a grain). A send slower than <see cref="ChatSocketOptions.SendTimeout"/> aborts the
/// socket, which also ends its reader.
/// </summary>
internal sealed class SocketWriter(WebSocket socket, SocketOutbox outbox, ChatSocketOptions options, ChatMetrics metrics, ILogger logger, string connectionId)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Its wait has no token of its own (SocketOutbox.WaitAsync): canceled, the writer completes the outbox, which
        // ends the wait; a frame still queued then fails to send with the canceled token, and the loop ends.
        using var stop = cancellationToken.UnsafeRegister(static outbox => ((SocketOutbox)outbox!).Complete(), outbox);
        try
        {
            while (await outbox.WaitAsync())
            {
                while (outbox.TryTake(out var frame))
                {
                    // Nothing of the frame is used after the send: a frame kept across the await would be stored in
                    // this long-lived loop's state machine, an old object pointing at a young one, which every young
                    // collection then has to scan (docs/measurements.md, "where the pause is spent").
                    var publishedAt = frame.PublishedAt;
                    sendTimeout.CancelAfter(options.SendTimeout);
                    await socket.SendAsync(frame.Payload.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, sendTimeout.Token);
                    if (!sendTimeout.TryReset())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    metrics.FrameSent();
                    metrics.Relayed(publishedAt);
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever a send threw (a timeout, a reset, a transport error of any type), the socket is dead to us:
            // abort it so the reader ends too. The connection also ends when this loop does (ChatConnection).
            if (!cancellationToken.IsCancellationRequested)
            {
                WebFrontLog.SocketFailed(logger, ex, connectionId);
                socket.Abort();
            }
        }
    }
}
