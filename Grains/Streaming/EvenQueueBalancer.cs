using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansChat.Grains.Streaming;

/// <summary>
/// Hands the stream queues out evenly over the active silos: the silos sorted by address, queue <c>i</c> (in the
/// mapper's order) to silo <c>i mod n</c>, so every silo computes the same split from the same membership view.
/// Orleans' default, the consistent-ring balancer, gives each silo the queues whose hash falls in its ranges of the
/// ring; with a handful of queues that split is a matter of luck (with 4 queues and 2 silos, one silo reads 3 or 4 of
/// them in five clusters of eight), and the rooms, which follow their queue (<see cref="Placement.StreamQueuePlacement"/>),
/// crowd onto it. Measured in docs/measurements.md.
/// </summary>
/// <remarks>
/// While silos disagree about membership (a silo joining or leaving), two agents may read one queue for a moment; the
/// queue serves its newest reader and the chat's consumers drop duplicates by room sequence number.
/// </remarks>
public sealed partial class EvenQueueBalancer(IServiceProvider services, ILogger<EvenQueueBalancer> logger)
    : QueueBalancerBase(services, logger)
{
    private readonly Lock _gate = new();
    private List<QueueId> _allQueues = [];
    private List<QueueId> _mine = [];

    /// <summary>The factory for <c>ConfigurePartitionBalancing</c>.</summary>
    public static IStreamQueueBalancer Create(IServiceProvider services, string name) =>
        ActivatorUtilities.CreateInstance<EvenQueueBalancer>(services);

    /// <summary>The queues silo <paramref name="silo"/> reads when <paramref name="activeSilos"/> are active.</summary>
    public static List<QueueId> QueuesOf(SiloAddress silo, IEnumerable<SiloAddress> activeSilos, IReadOnlyList<QueueId> allQueues)
    {
        var silos = activeSilos.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();
        var index = silos.IndexOf(silo);
        if (index < 0)
        {
            return [];
        }

        return [.. allQueues.Where((_, i) => i % silos.Count == index)];
    }

    public override Task Initialize(IStreamQueueMapper queueMapper)
    {
        ArgumentNullException.ThrowIfNull(queueMapper);
        lock (_gate)
        {
            _allQueues = [.. queueMapper.GetAllQueues()];
        }

        return base.Initialize(queueMapper);
    }

    public override IEnumerable<QueueId> GetMyQueues()
    {
        lock (_gate)
        {
            return [.. _mine];
        }
    }

    protected override void OnClusterMembershipChange(HashSet<SiloAddress> activeSilos)
    {
        List<QueueId> mine;
        lock (_gate)
        {
            mine = QueuesOf(SiloAddress, activeSilos, _allQueues);
            if (mine.SequenceEqual(_mine))
            {
                return;
            }

            _mine = mine;
        }

        LogQueuesChanged(Logger, activeSilos.Count, string.Join(", ", mine));
        _ = NotifyAsync();
    }

    private async Task NotifyAsync()
    {
        try
        {
            await NotifyListeners();
        }
        catch (Exception ex)
        {
            LogNotifyFailed(Logger, ex);
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "Stream queues of this silo, one of {Silos} active: {Queues}")]
    private static partial void LogQueuesChanged(ILogger logger, int silos, string queues);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Telling the pulling agents about their new queues failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception);
}
