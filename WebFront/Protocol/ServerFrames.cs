using System.Text.Json.Serialization;
using OrleansChat.Model;

namespace OrleansChat.WebFront.Protocol;

// Frames the server sends. Each one carries its "type" first; room events carry the room sequence "seq".
// docs/protocol.md documents every field; change both together.

/// <summary>The limits a client should respect, so it can stop the user before the server refuses.</summary>
internal sealed record ClientLimits(int MaxNameLength, int MaxDraftLength, int MaxFrameBytes);

internal sealed record WelcomeFrame(
    string Room,
    long Seq,
    string ConnectionId,
    string Name,
    string Server,
    IReadOnlyList<Participant> Participants,
    IReadOnlyList<Draft> Drafts,
    IReadOnlyList<ChatMessage> History,
    bool MoreHistory,
    ClientLimits Limits)
{
    [JsonPropertyOrder(-1)]
    public string Type => "welcome";
}

internal sealed record JoinedFrame(long Seq, Participant Participant)
{
    [JsonPropertyOrder(-1)]
    public string Type => "joined";
}

internal sealed record LeftFrame(long Seq, string ConnectionId)
{
    [JsonPropertyOrder(-1)]
    public string Type => "left";
}

internal sealed record ChunkFrame(long Seq, string ConnectionId, string Text, long SenderSeq)
{
    [JsonPropertyOrder(-1)]
    public string Type => "chunk";
}

internal sealed record ClearedFrame(long Seq, string ConnectionId, string Reason)
{
    [JsonPropertyOrder(-1)]
    public string Type => "cleared";
}

internal sealed record CommitFrame(long Seq, ChatMessage Message)
{
    [JsonPropertyOrder(-1)]
    public string Type => "commit";
}

/// <summary>The answer to a <c>history</c> request: messages below <see cref="Before"/>, oldest first.</summary>
internal sealed record HistoryFrame(long Before, IReadOnlyList<ChatMessage> Messages, bool More)
{
    [JsonPropertyOrder(-1)]
    public string Type => "history";
}

/// <summary>To the sender of a commit the room had already stored (a retry): it is confirmed.</summary>
internal sealed record CommittedFrame(ChatMessage Message)
{
    [JsonPropertyOrder(-1)]
    public string Type => "committed";
}

internal sealed record ErrorFrame(string Code, string Message, string? Ref)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";
}

internal sealed record GoingAwayFrame(string Message)
{
    [JsonPropertyOrder(-1)]
    public string Type => "goingAway";
}
