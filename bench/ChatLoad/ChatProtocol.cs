namespace OrleansChat.Bench;

/// <summary>The wire protocol the load clients speak (<c>--protocol</c>); one <see cref="IChatTransport"/> each.</summary>
public enum ChatProtocol
{
    /// <summary>OrleansChat's own (docs/protocol.md): a welcome, a room sequence, every event echoed to its sender.</summary>
    OrleansChat,

    /// <summary>
    /// The raw WebSocket reference peers (aspnet-ws, node-ws): <c>join</c> answered by a <c>joined</c> ack,
    /// <c>chunk</c> and <c>commit</c> relayed to the other members only, with <c>from</c> = the sender's name.
    /// </summary>
    PeerWs,

    /// <summary>The SignalR + Redis reference peer: hub methods Join, Chunk, Commit; client handlers chunk, commit.</summary>
    SignalR,
}
