namespace OrleansChat.Grains.Placement;

/// <summary>
/// Places a room grain on the silo that hosts its stream's queue grain (<see cref="StreamQueuePlacementDirector"/>),
/// so each event the room publishes is queued with a call inside that silo instead of a request and a response
/// between silos.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class StreamQueuePlacement : PlacementStrategy
{
    internal static StreamQueuePlacement Singleton { get; } = new();
}
