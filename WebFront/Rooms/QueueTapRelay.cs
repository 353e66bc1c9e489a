using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Streams;
using OrleansChat.Events;
using OrleansChat.Grains.Streaming;
using OrleansChat.WebFront.Logging;

namespace OrleansChat.WebFront.Rooms;

/// <summary>
/// With <see cref="FeedSource.QueueTap"/>: reads every room stream queue beside its pulling agent
/// (<see cref="IWaitingQueueGrain.Tap"/>), one waiting read per queue at a time, and hands each event to this
/// WebFront's feed of its room (rooms without local members are skipped). One read brings every event queued since
/// the last, across rooms, so the cost per event falls as the rate rises, where a subscription costs one delivery and
/// one acknowledgement per event and feed. Events keep their queue's order; a room's events all go through one queue.
/// Events lost on the way (a queue lost with its silo, a tap too far behind) are caught by the feeds' members as
/// gaps in the room sequence; the relay also asks the feeds of that queue's rooms to resynchronise at once.
/// </summary>
internal sealed class QueueTapRelay(
    RoomFeeds feeds,
    IGrainFactory grains,
    IOptions<RelayOptions> relay,
    IOptionsMonitor<HashRingStreamQueueMapperOptions> queues,
    IOptionsMonitor<WaitingQueueOptions> waiting,
    ILogger<QueueTapRelay> logger) : BackgroundService
{
    private static readonly TimeSpan MovingPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxFailurePause = TimeSpan.FromSeconds(2);

    /// <summary>This WebFront's name at the queues: each keeps what this WebFront has not read yet, and no more.</summary>
    private readonly Guid _tap = Guid.NewGuid();

    private long _reads;
    private long _batches;

    /// <summary>Reads answered so far (tests and diagnostics).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Batches handed to feeds so far (tests and diagnostics).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (relay.Value.Source != FeedSource.QueueTap)
        {
            return Task.CompletedTask;
        }

        var mapper = new HashRingBasedStreamQueueMapper(queues.Get(ChatStreams.ProviderName), ChatStreams.ProviderName);
        var wait = waiting.Get(ChatStreams.ProviderName).Wait;
        var taps = Task.WhenAll(mapper.GetAllQueues().Select(queue => Task.Run(() => TapAsync(queue, mapper, wait, stoppingToken), stoppingToken)));

        // Stopping does not wait for the reads in flight (each ends within its wait, then its loop sees the token).
        return Task.WhenAny(taps, Task.Delay(Timeout.Infinite, stoppingToken)).Unwrap();
    }

    private async Task TapAsync(QueueId queue, HashRingBasedStreamQueueMapper mapper, TimeSpan wait, CancellationToken stoppingToken)
    {
        var name = queue.ToString();
        var grain = grains.GetGrain<IWaitingQueueGrain>(WaitingQueueAdapterFactory.QueueGrainKey(ChatStreams.ProviderName, queue));
        var maxBatches = relay.Value.TapReadBatches;
        var epoch = Guid.Empty;
        var through = 0L;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueTapRead read;
            try
            {
                // No timer or token of its own per read (a promise, a timer and a registration each time): a read
                // ends within its wait, and one to a silo that died fails when Orleans gives up on that silo, or at
                // the cluster's response timeout (Orleans:ResponseTimeout, which Orleans:StreamQueueWait stays under).
                read = await grain.TapAs(_tap, epoch, through, maxBatches, wait);
                failures = 0;
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The queue's silo died or is moving it, or the cluster is starting: read again from the same cursor
                // (the queue keeps what came meanwhile, unless it was lost, which the next answer says).
                failures++;
                var pause = TimeSpan.FromMilliseconds(Math.Min(MaxFailurePause.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
                WebFrontLog.TapReadFailed(logger, ex, name, failures, pause);
                await Task.Delay(pause, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _reads);
            if (read.Moving)
            {
                await Task.Delay(MovingPause, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            var lost = epoch != Guid.Empty && read.Epoch != epoch;
            epoch = read.Epoch;
            through = read.Through;
            foreach (var batch in read.Batches)
            {
                Deliver(batch);
            }

            if (read.Missed)
            {
                ResynchronizeRoomsOf(queue, mapper, name, lost ? "the queue was lost with its silo" : "this WebFront fell behind");
            }
        }
    }

    private void Deliver(ChatQueueBatch batch)
    {
        Interlocked.Increment(ref _batches);
        RoomFeed? feed = null;
        foreach (var item in batch.Events)
        {
            if (item is not ChatEvent chatEvent)
            {
                continue;
            }

            // A batch holds one stream's events, so one room: look its feed up once.
            feed ??= feeds.Find(chatEvent.RoomId);
            if (feed is null)
            {
                return;
            }

            feed.OnNextAsync(chatEvent);
        }
    }

    private void ResynchronizeRoomsOf(QueueId queue, HashRingBasedStreamQueueMapper mapper, string name, string reason)
    {
        var affected = feeds.Feeds.Where(f => mapper.GetQueueForStream(ChatStreams.ForRoom(f.RoomId)).Equals(queue)).ToList();
        WebFrontLog.TapMissed(logger, name, reason, affected.Count);
        foreach (var feed in affected)
        {
            feed.ResynchronizeMembers();
        }
    }
}
