using Orleans.Placement;

namespace OrleansChat.Grains.Placement;

/// <summary>Marks a grain keyed by room id for <see cref="StreamQueuePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class StreamQueuePlacementAttribute() : PlacementAttribute(StreamQueuePlacement.Singleton);
