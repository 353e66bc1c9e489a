namespace OrleansChat.Events;

[GenerateSerializer, Immutable]
public sealed record ParticipantLeft(string RoomId, long Seq, [property: Id(0)] string ConnectionId)
    : ChatEvent(RoomId, Seq);
