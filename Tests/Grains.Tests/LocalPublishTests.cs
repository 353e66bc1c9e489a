using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansChat.Grains.Streaming;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// The chat stream provider's local hand-over: a silo publishes into a queue its own pulling agent reads, in memory,
/// and into the queue grain only when it reads none. Driven through the provider's own adapter and receivers (what
/// a pulling agent calls), over the 2-silo test cluster's queue grains.
/// </summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class LocalPublishTests(DefaultLimitsClusterFixture cluster)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    private readonly string _name = "local-test-" + Guid.NewGuid().ToString("N");

    private WaitingQueueAdapterFactory NewProvider(bool localPublish = true, int queues = 4) => new(
        _name,
        new WaitingQueueOptions { Wait = TimeSpan.FromSeconds(20), LocalPublish = localPublish },
        new HashRingStreamQueueMapperOptions { TotalQueueCount = queues },
        cluster.Client,
        NullLoggerFactory.Instance);

    private static StreamId Room(string room) => StreamId.Create("test-stream", room);

    private IWaitingQueueGrain QueueGrain(QueueId queue) => cluster.Client.GetGrain<IWaitingQueueGrain>($"{_name}/{queue}");

    private static Task Publish(IQueueAdapter adapter, string room, string text) =>
        adapter.QueueMessageBatchAsync(Room(room), new[] { text }, null, []);

    private static List<string> Texts(IEnumerable<IBatchContainer> batches) =>
        [.. batches.SelectMany(b => b.GetEvents<string>()).Select(e => e.Item1)];

    [Fact]
    public async Task APublishOnASiloThatReadsAQueueIsHandedToItsReaderWithoutTheQueueGrain()
    {
        var provider = NewProvider();
        var queues = provider.GetStreamQueueMapper().GetAllQueues().ToList();
        var receivers = queues.Select(provider.CreateReceiver).ToList();
        Assert.Equal(queues.Count, provider.LocalQueues.Count);

        await Publish(provider, "room", "hello");
        await Publish(provider, "room", "world");

        // Every publish of a room goes to the same one of the local queues, in order: one receiver has both at once,
        // the others wait (on their queue grains) with nothing.
        var reads = receivers.Select(r => r.GetQueueMessagesAsync(100, CancellationToken.None)).ToList();
        var first = await Task.WhenAny(reads).WaitAsync(Soon);
        var nonEmpty = new List<IList<IBatchContainer>> { await first };
        Assert.Equal(["hello", "world"], Texts(nonEmpty[0]));
        await Task.Delay(200);
        Assert.All(reads.Where(r => r != first), r => Assert.False(r.IsCompleted));
        Assert.True(nonEmpty[0][0].SequenceToken.CompareTo(nonEmpty[0][1].SequenceToken) < 0);

        // No queue grain holds them.
        foreach (var queue in queues)
        {
            Assert.Empty(await QueueGrain(queue).Dequeue(100, TimeSpan.Zero, 0));
        }

        foreach (var receiver in receivers)
        {
            await receiver.Shutdown(Soon);
        }
    }

    [Fact]
    public async Task AReadWaitingOnTheQueueGrainReturnsTheMomentALocalBatchIsHandedOver()
    {
        var provider = NewProvider(queues: 1);
        var receiver = provider.CreateReceiver(provider.GetStreamQueueMapper().GetAllQueues().Single());

        var read = receiver.GetQueueMessagesAsync(100, CancellationToken.None);
        Assert.NotSame(read, await Task.WhenAny(read, Task.Delay(300))); // waits (the grain's wait is 20 s)

        await Publish(provider, "room", "now");
        Assert.Equal(["now"], Texts(await read.WaitAsync(Soon)));
        await receiver.Shutdown(Soon);
    }

    [Fact]
    public async Task BatchesFromTheQueueGrainAndLocalOnesAllComeOutWithOneGrowingOrder()
    {
        var provider = NewProvider(queues: 1);
        var queue = provider.GetStreamQueueMapper().GetAllQueues().Single();
        var receiver = provider.CreateReceiver(queue);

        await QueueGrain(queue).Enqueue(new ChatQueueBatch(Room("elsewhere"), ["from another silo"], null, null));
        var first = await receiver.GetQueueMessagesAsync(100, CancellationToken.None).WaitAsync(Soon);
        await Publish(provider, "room", "local 1");
        await Publish(provider, "room", "local 2");
        var second = await receiver.GetQueueMessagesAsync(100, CancellationToken.None).WaitAsync(Soon);
        await QueueGrain(queue).Enqueue(new ChatQueueBatch(Room("elsewhere"), ["from another silo again"], null, null));
        var third = await receiver.GetQueueMessagesAsync(100, CancellationToken.None).WaitAsync(Soon);

        var all = first.Concat(second).Concat(third).ToList();
        Assert.Equal(["from another silo", "local 1", "local 2", "from another silo again"], Texts(all));
        for (var i = 1; i < all.Count; i++)
        {
            Assert.True(all[i - 1].SequenceToken.CompareTo(all[i].SequenceToken) < 0, $"token {i} does not grow");
        }

        await receiver.Shutdown(Soon);
    }

    [Fact]
    public async Task AReaderThatStopsHandsWhatItHadNotDeliveredToTheQueueGrainForTheNextReader()
    {
        var provider = NewProvider(queues: 1);
        var queue = provider.GetStreamQueueMapper().GetAllQueues().Single();
        var receiver = provider.CreateReceiver(queue);

        await Publish(provider, "room", "a");
        Assert.Equal(["a"], Texts(await receiver.GetQueueMessagesAsync(100, CancellationToken.None).WaitAsync(Soon))); // read, not yet taken
        await Publish(provider, "room", "b");
        await receiver.Shutdown(Soon);

        // Stopped: it is no longer a local queue, so a publish now goes to the queue grain too.
        Assert.Empty(provider.LocalQueues);
        await Publish(provider, "room", "c");

        // The next reader of the queue (any silo) gets all three from the grain: at least once, in order.
        Assert.Equal(["a", "b", "c"], Texts(await QueueGrain(queue).Dequeue(100, TimeSpan.Zero, 0)));
    }

    [Fact]
    public async Task WithLocalPublishOffEveryPublishGoesToTheStreamsQueueGrain()
    {
        var provider = NewProvider(localPublish: false, queues: 1);
        var queue = provider.GetStreamQueueMapper().GetAllQueues().Single();
        var receiver = provider.CreateReceiver(queue);
        Assert.Empty(provider.LocalQueues);

        await Publish(provider, "room", "via the grain");
        Assert.Equal(["via the grain"], Texts(await QueueGrain(queue).Dequeue(100, TimeSpan.Zero, 0)));
        Assert.Equal(["via the grain"], Texts(await receiver.GetQueueMessagesAsync(100, CancellationToken.None).WaitAsync(Soon)));
        await receiver.Shutdown(Soon);
    }

    [Fact]
    public async Task AFloodedRoomFillsOnlyItsShareOfALocalQueue()
    {
        var provider = NewProvider(queues: 1);
        var receiver = provider.CreateReceiver(provider.GetStreamQueueMapper().GetAllQueues().Single());
        for (var i = 0; i < WaitingQueueGrain.MaxQueuedPerStream; i++)
        {
            await Publish(provider, "flooded", "flood " + i);
        }

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => Publish(provider, "flooded", "one too many"));
        Assert.Contains("share", refused.Message, StringComparison.Ordinal);
        await Publish(provider, "quiet", "another room still publishes");

        // Once read (and asked again), the flooded room may publish again.
        var read = await receiver.GetQueueMessagesAsync(-1, CancellationToken.None).WaitAsync(Soon);
        Assert.Equal(WaitingQueueGrain.MaxQueuedPerStream + 1, read.Count);
        var next = receiver.GetQueueMessagesAsync(-1, CancellationToken.None); // the agent asks again once it cached them
        await Publish(provider, "flooded", "after the flood");
        Assert.Equal(["after the flood"], Texts(await next.WaitAsync(Soon)));
        await receiver.Shutdown(Soon);
    }
}
