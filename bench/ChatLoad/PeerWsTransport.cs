namespace OrleansChat.Bench;

/// <summary>
/// The raw WebSocket reference peers (aspnet-ws, node-ws): <c>join</c> is answered by a <c>joined</c> ack; chunks and
/// commits go to the other members only, named by <c>from</c> = the name this client joined with. There is no room
/// sequence and no message id, so a commit carries its id at the start of its text.
/// </summary>
public sealed class PeerWsTransport(IChatEvents events, CancellationToken stopping) : WebSocketTransport(events, stopping)
{
    public override bool EchoesToSender => false;

    public override Task SendCommitAsync(string text, string id, CancellationToken cancellationToken) =>
        SendJsonAsync(writer =>
        {
            writer.WriteString("type"u8, "commit"u8);
            writer.WriteString("text"u8, id + " " + text);
        }, cancellationToken);

    protected override void OnFrame(ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        if (!PeerFrame.TryParse(utf8, out var frame))
        {
            Events.OnError("unparseable_frame");
            return;
        }

        Span<char> chars = stackalloc char[64];
        switch (frame.Kind)
        {
            case PeerFrameKind.Chunk:
                Events.OnChunk(Decode(frame.From, chars), frame.Seq, 0, arrivedAt);
                break;
            case PeerFrameKind.Commit:
                var space = frame.Text.IndexOf((byte)' ');
                Events.OnCommit(space > 0 ? Decode(frame.Text[..space], chars) : [], 0, arrivedAt);
                break;
            case PeerFrameKind.Joined:
                Joined(Name);
                break;
            case PeerFrameKind.Error:
                Events.OnError("peer_error_" + System.Text.Encoding.UTF8.GetString(frame.Text));
                break;
            default:
                Events.OnError("unexpected_frame");
                break;
        }
    }
}
