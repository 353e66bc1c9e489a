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

        if (frame.Kind == FrameKind.Welcome)
        {
            // A welcome after the first: the server resynchronised this socket (it fell behind, or asked to).
            var first = !HasJoined;
            Events.OnWelcome(frame.Seq, resync: !first);
            if (first)
            {
                Span<char> chars = stackalloc char[64];
                Joined(new string(Decode(frame.ConnectionId, chars)));
            }

            return;
        }

        Dispatch(Events, frame, arrivedAt);
    }

    /// <summary>
    /// Reports a room event, error or <c>goingAway</c> (not a welcome) to the client's accounting; shared with
    /// <see cref="ReconnectingTransport"/>.
    /// </summary>
    internal static void Dispatch(IChatEvents events, in ServerFrame frame, long arrivedAt)
    {
        Span<char> chars = stackalloc char[64];
        switch (frame.Kind)
        {
            case FrameKind.Chunk:
                events.OnChunk(Decode(frame.ConnectionId, chars), frame.SenderSeq, frame.Seq, arrivedAt);
                break;
            case FrameKind.Commit:
                events.OnCommit(Decode(frame.Id, chars), frame.Seq, arrivedAt);
                break;
            case FrameKind.Committed:
                events.OnCommitted(Decode(frame.Id, chars), frame.MessageSeq);
                break;
            case FrameKind.Error:
                events.OnError(System.Text.Encoding.UTF8.GetString(frame.Id));
                break;
            case FrameKind.GoingAway:
                events.OnError("going_away");
                break;
            case FrameKind.Unparseable:
                events.OnError("unparseable_frame");
                break;
            default:
                events.OnRoomEvent(frame.Seq);
                break;
        }
    }
}
