using OrleansChat.Client;

namespace OrleansChat.Bench;

/// <summary>
/// OrleansChat's protocol through the shared <see cref="ReconnectingChatSocket"/> (Tests/ChatClient): the client
/// behaves like the browser when its socket closes or a <c>goingAway</c> arrives — it reconnects with jittered backoff
/// through the same URL (e.g. the process cluster's nginx), joins again and sends its unsent draft and every
/// unconfirmed commit again with the same id. Used by the fault and soak scenarios (S6, S7; <c>--reconnect</c>).
/// </summary>
public sealed class ReconnectingTransport(IChatEvents events, Func<long> nextDraftSeq) : IChatTransport, IChatSocketEvents
{
    private ReconnectingChatSocket? _socket;

    public bool EchoesToSender => true;

    /// <summary>Until disposed: a closed socket is reconnected.</summary>
    public bool IsOpen => _socket?.IsRunning == true;

    public bool IsLive => _socket?.IsLive == true;

    public int Reconnects => Math.Max(0, (_socket?.Connects ?? 0) - 1);

    public int PendingCommits => _socket?.Recovery.PendingCount ?? 0;

    public async Task<string> ConnectAsync(Uri uri, string room, string name, HttpMessageInvoker invoker, CancellationToken cancellationToken)
    {
        if (_socket is not null)
        {
            // A retried first connect: the running socket keeps trying by itself.
            return (await WaitLiveAsync(cancellationToken)).ConnectionId;
        }

        // Not the run's shared invoker: it is disposed after the connect phase, and reconnects come later (each one
        // through the socket's own handler, as a browser's would).
        _socket = new ReconnectingChatSocket(
            new ChatSocketOptions { Uri = uri, Room = room, Name = name, ConnectTimeout = TimeSpan.FromSeconds(30), NextDraftSeq = nextDraftSeq },
            this);
        return (await _socket.StartAsync(cancellationToken)).ConnectionId;
    }

    private Task<WelcomeFrame> WaitLiveAsync(CancellationToken cancellationToken) => _socket!.WaitForFirstWelcomeAsync(cancellationToken);

    public Task SendChunkAsync(string text, long seq, CancellationToken cancellationToken) => _socket!.SendChunkAsync(text, seq, cancellationToken);

    public Task SendCommitAsync(string text, string id, CancellationToken cancellationToken) => _socket!.SendCommitAsync(text, id, cancellationToken);

    /// <summary>The user typed while no socket was live: the draft goes after the next welcome.</summary>
    public void Typed(string draft) => _socket?.Recovery.Typed(draft);

    public async Task CloseAsync(TimeSpan timeout)
    {
        if (_socket is { } socket)
        {
            await socket.DisposeAsync();
        }
    }

    void IChatSocketEvents.OnWelcome(WelcomeFrame welcome, bool first, bool reconnected, ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        events.OnWelcomeHistory(welcome.ConnectionId, welcome.History, reconnected, arrivedAt);
        events.OnWelcome(welcome.Seq, resync: !first && !reconnected);
    }

    void IChatSocketEvents.OnFrame(in ServerFrame frame, EventOrder order, ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        if (order == EventOrder.Stale)
        {
            // Already in the welcome: the server promises never to send it after (docs/protocol.md).
            events.OnError("stale_event");
            return;
        }

        OrleansChatTransport.Dispatch(events, frame, arrivedAt);
    }

    void IChatSocketEvents.OnDisconnected(string reason, bool wasLive) => events.OnDisconnected(reason, wasLive);
}
