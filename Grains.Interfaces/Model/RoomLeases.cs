namespace OrleansChat.Model;

/// <summary>The connections of one room whose presence leases a WebFront renews.</summary>
[GenerateSerializer, Immutable]
public sealed record RoomLeases(
    [property: Id(0)] string RoomId,
    [property: Id(1)] string[] ConnectionIds);

/// <summary>One room's answer in a batch renewal: its <see cref="LeaseRenewal"/>, or null when the room failed.</summary>
[GenerateSerializer, Immutable]
public sealed record RoomLeaseRenewal(
    [property: Id(0)] string RoomId,
    [property: Id(1)] LeaseRenewal? Renewal);
