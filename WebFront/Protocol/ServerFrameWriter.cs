using System.Text.Json;
using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.WebFront.Protocol;

/// <summary>Turns room events, snapshots and errors into UTF-8 JSON frames.</summary>
internal static class ServerFrameWriter
{
    // Non-ASCII text goes out as UTF-8, not \uXXXX escapes (ChatJsonEncoder); otherwise the context's own options.
    private static readonly ProtocolJsonContext Json = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = ChatJsonEncoder.Instance,
    });

    public static byte[] Event(ChatEvent chatEvent) => chatEvent switch
    {
        DraftChunk e => JsonSerializer.SerializeToUtf8Bytes(new ChunkFrame(e.Seq, e.ConnectionId, e.Text, e.SenderSeq), Json.ChunkFrame),
        MessageCommitted e => JsonSerializer.SerializeToUtf8Bytes(new CommitFrame(e.Seq, e.Message), Json.CommitFrame),
        DraftCleared e => JsonSerializer.SerializeToUtf8Bytes(new ClearedFrame(e.Seq, e.ConnectionId, ReasonName(e.Reason)), Json.ClearedFrame),
        ParticipantJoined e => JsonSerializer.SerializeToUtf8Bytes(new JoinedFrame(e.Seq, e.Participant), Json.JoinedFrame),
        ParticipantLeft e => JsonSerializer.SerializeToUtf8Bytes(new LeftFrame(e.Seq, e.ConnectionId), Json.LeftFrame),
        _ => throw new ArgumentOutOfRangeException(nameof(chatEvent), chatEvent.GetType().Name, "Unknown chat event."),
    };

    public static byte[] Welcome(RoomSnapshot snapshot, string connectionId, string name, string server, ClientLimits limits) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new WelcomeFrame(snapshot.RoomId, snapshot.Seq, connectionId, name, server, snapshot.Participants, snapshot.Drafts, snapshot.History, snapshot.MoreHistory, limits),
            Json.WelcomeFrame);

    public static byte[] History(long before, HistoryPage page) =>
        JsonSerializer.SerializeToUtf8Bytes(new HistoryFrame(before, page.Messages, page.More), Json.HistoryFrame);

    public static byte[] Committed(ChatMessage message) =>
        JsonSerializer.SerializeToUtf8Bytes(new CommittedFrame(message), Json.CommittedFrame);

    /// <summary>The same bytes for every connection: the server is shutting down, reconnect.</summary>
    public static byte[] GoingAway() => GoingAwayBytes;

    private static readonly byte[] GoingAwayBytes = JsonSerializer.SerializeToUtf8Bytes(
        new GoingAwayFrame("The server is restarting. Reconnect; another server will take over."), Json.GoingAwayFrame);

    public static byte[] Error(ProtocolError error) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorFrame(error.Code, error.Message, error.Ref), Json.ErrorFrame);

    private static string ReasonName(DraftClearReason reason) => reason switch
    {
        DraftClearReason.Cancelled => "cancelled",
        DraftClearReason.Committed => "committed",
        DraftClearReason.Left => "left",
        _ => "unknown",
    };
}
