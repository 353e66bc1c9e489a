using OrleansChat.Model;

namespace OrleansChat.Events;

/// <summary>Published only after the message is written to the room's persistent history.</summary>
[GenerateSerializer, Immutable]
public sealed record MessageCommitted(string RoomId, long Seq, [property: Id(0)] ChatMessage Message)
    : ChatEvent(RoomId, Seq);
