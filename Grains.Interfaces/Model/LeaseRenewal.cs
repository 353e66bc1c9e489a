namespace OrleansChat.Model;

/// <summary>
/// The answer to a lease renewal: the connections the room does not know (they should join again) and the room's
/// current sequence number (a connection that has not seen it a renewal later missed events and resyncs).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeaseRenewal(
    [property: Id(0)] string[] UnknownConnections,
    [property: Id(1)] long Seq);
