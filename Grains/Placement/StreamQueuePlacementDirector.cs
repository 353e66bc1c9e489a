using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using Orleans.Streams;
using OrleansChat.Grains.Logging;
using OrleansChat.Grains.Streaming;

namespace OrleansChat.Grains.Placement;

/// <summary>Settings of <see cref="StreamQueuePlacementDirector"/>.</summary>
public sealed class StreamQueuePlacementOptions
{
    /// <summary>
    /// Whether a room is placed with its stream's queue grain. When false (or when the streams are not the waiting
    /// queues) rooms go to a random compatible silo, as Orleans' random placement does.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a queue grain's location is remembered before it is asked again.</summary>
    public TimeSpan LocationLifetime { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Places a room grain on the silo where its stream's <see cref="WaitingQueueGrain"/> lives (asked once per queue
/// and remembered for <see cref="StreamQueuePlacementOptions.LocationLifetime"/>), so the room's publishes never
/// leave that silo. Anything that cannot be answered (a queue on a silo that is not compatible or not there any
/// more, a failed call, a key that is not a room) falls back to a random compatible silo: placement is a saving,
/// never a condition.
/// </summary>
public sealed class StreamQueuePlacementDirector(
    IGrainFactory grains,
    IOptionsMonitor<HashRingStreamQueueMapperOptions> queueOptions,
    IOptions<StreamQueuePlacementOptions> options,
    TimeProvider time,
    ILogger<StreamQueuePlacementDirector> logger) : IPlacementDirector
{
    private readonly HashRingBasedStreamQueueMapper _mapper = new(queueOptions.Get(ChatStreams.ProviderName), ChatStreams.ProviderName);
    private readonly StreamQueuePlacementOptions _options = options.Value;
    private readonly ConcurrentDictionary<QueueId, Located> _locations = new();

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, compatible) is { } hint)
        {
            return hint;
        }

        if (_options.Enabled && compatible.Length > 1 && target.GrainIdentity.Key.ToString() is { } roomId
            && ChatValidation.IsValidRoomId(roomId))
        {
            var queue = _mapper.GetQueueForStream(ChatStreams.ForRoom(roomId));
            var silo = await LocateAsync(queue);
            if (silo is not null && compatible.Contains(silo))
            {
                return silo;
            }

            _locations.TryRemove(queue, out _);
        }

        return compatible[Random.Shared.Next(compatible.Length)];
    }

    private async Task<SiloAddress?> LocateAsync(QueueId queue)
    {
        var now = time.GetTimestamp();
        if (_locations.TryGetValue(queue, out var known) && time.GetElapsedTime(known.At, now) < _options.LocationLifetime)
        {
            return known.Silo;
        }

        try
        {
            var silo = await grains.GetGrain<IWaitingQueueGrain>(WaitingQueueAdapterFactory.QueueGrainKey(ChatStreams.ProviderName, queue)).Location();
            _locations[queue] = new Located(silo, now);
            return silo;
        }
        catch (Exception exception)
        {
            PlacementLog.QueueLocationFailed(logger, queue.ToString(), exception);
            return null;
        }
    }

    private readonly record struct Located(SiloAddress Silo, long At);
}
