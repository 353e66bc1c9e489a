using OrleansChat.Client;

namespace OrleansChat.Bench;

/// <summary>
/// OrleansChat's protocol (docs/protocol.md): the join is answered by a <c>welcome</c> that names this connection;
/// room events carry the room sequence; chunks name their sender by <c>connectionId</c>; commits carry the client's
/// message id; every event also goes back to its sender.
/// </summary>
public sealed class OrleansChatTransport(IChatEvents events, CancellationToken stopping) : WebSocketTransport(events, stopping)
{
    public override bool EchoesToSender => true;

    public override Task SendCommitAsync(string text, string id, CancellationToken cancellationToken) =>
        SendJsonAsync(writer =>
        {
            writer.WriteString("type"u8, "commit"u8);
            writer.WriteString("text"u8, text);
            writer.WriteString("id"u8, id);
        }, cancellationToken);

    protected override void OnFrame(ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        if (!ServerFrame.TryParse(utf8, out var frame))
        {
            Events.OnError("unparseable_frame");
            return;
        }

        Span<char> chars = stackalloc char[64];
        switch (frame.Kind)
        {
            case FrameKind.Chunk:
                Events.OnChunk(Decode(frame.ConnectionId, chars), frame.SenderSeq, frame.Seq, arrivedAt);
                break;
            case FrameKind.Commit:
                Events.OnCommit(Decode(frame.Id, chars), frame.Seq, arrivedAt);
                break;
            case FrameKind.Welcome:
                // A welcome after the first: the server resynchronised this socket (it fell behind, or asked to).
                var first = !HasJoined;
                Events.OnWelcome(frame.Seq, resync: !first);
                if (first)
                {
                    Joined(new string(Decode(frame.ConnectionId, chars)));
                }

                break;
            case FrameKind.Error:
                Events.OnError(System.Text.Encoding.UTF8.GetString(frame.Id));
                break;
            case FrameKind.GoingAway:
                Events.OnError("going_away");
                break;
            default:
                Events.OnRoomEvent(frame.Seq);
                break;
        }
    }
}
