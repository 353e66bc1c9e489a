using OrleansChat.Model;

namespace OrleansChat.Events;

[GenerateSerializer, Immutable]
public sealed record ParticipantJoined(string RoomId, long Seq, [property: Id(0)] Participant Participant)
    : ChatEvent(RoomId, Seq);
