using System.Net.WebSockets;
using OrleansChat.WebFront.Logging;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Sockets;

/// <summary>
/// The one loop that sends on a socket: it takes frames from the socket's <see cref="SocketOutbox"/> and sends them,
/// nothing else (it never calls a grain). A send slower than <see cref="ChatSocketOptions.SendTimeout"/> aborts the
/// socket, which also ends its reader.
/// </summary>
/// <remarks>
/// Sends pass no token: .NET's <c>ManagedWebSocket</c> takes its fast path only for a token that cannot be canceled
/// (a cancelable one costs a state machine and a token registration per frame, and the timeout a timer change per
/// frame). Almost every send completes at once, Kestrel's output pipe taking the frame; only one that has to wait for
/// the client is watched, by a timeout of its own (docs/measurements.md, "Sends without a token").
/// </remarks>
internal sealed class SocketWriter(WebSocket socket, SocketOutbox outbox, ChatSocketOptions options, ChatMetrics metrics, ILogger logger, string connectionId)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Its wait has no token of its own (SocketOutbox.WaitAsync): canceled, the writer completes the outbox, which
        // ends the wait; a send still waiting then ends with the socket (WaitForSendAsync), and the loop ends.
        using var stop = cancellationToken.UnsafeRegister(static outbox => ((SocketOutbox)outbox!).Complete(), outbox);
        try
        {
            while (await outbox.WaitAsync())
            {
                while (outbox.TryTake(out var frame))
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // Nothing of the frame is used after the send: a frame kept across an await would be stored in
                    // this long-lived loop's state machine, an old object pointing at a young one, which every young
                    // collection then has to scan (docs/measurements.md, "where the pause is spent").
                    var publishedAt = frame.PublishedAt;
                    var sending = socket.SendAsync(frame.Payload.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                    if (sending.IsCompletedSuccessfully)
                    {
                        sending.GetAwaiter().GetResult();
                    }
                    else
                    {
                        await WaitForSendAsync(sending, cancellationToken);
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

    /// <summary>
    /// A send that did not complete at once (the client reads slowly, or not at all): it may take up to
    /// <see cref="ChatSocketOptions.SendTimeout"/>; past that, or when the writer is stopped, the socket is aborted,
    /// which ends the send.
    /// </summary>
    private async Task WaitForSendAsync(ValueTask sending, CancellationToken cancellationToken)
    {
        var send = sending.AsTask();
        try
        {
            await send.WaitAsync(options.SendTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            socket.Abort();
            // The abandoned send fails once the socket is gone: observed here, so it is not reported as unobserved.
            _ = send.ContinueWith(static s => _ = s.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }
}
