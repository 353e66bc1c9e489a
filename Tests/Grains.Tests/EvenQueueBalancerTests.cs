using System.Net;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansChat.Grains.Streaming;
using OrleansChat.Hosting;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// The stream queues, and with them the rooms, are shared out evenly among the silos (<see cref="EvenQueueBalancer"/>),
/// not by where their hashes fall on the ring.
/// </summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class EvenQueueBalancerTests(DefaultLimitsClusterFixture cluster)
{
    private static readonly List<QueueId> Queues = [.. new HashRingBasedStreamQueueMapper(
        new HashRingStreamQueueMapperOptions { TotalQueueCount = 8 }, ChatStreams.ProviderName).GetAllQueues()];

    private static SiloAddress Silo(int port, int generation = 1) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation);

    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(2, 4, 4)]
    [InlineData(3, 2, 3)]
    [InlineData(8, 1, 1)]
    public void EverySiloGetsItsShareAndEveryQueueExactlyOneSilo(int silos, int fewest, int most)
    {
        var active = Enumerable.Range(0, silos).Select(i => Silo(11111 + i)).ToList();
        var split = active.ToDictionary(s => s, s => EvenQueueBalancer.QueuesOf(s, active, Queues));

        Assert.All(split.Values, queues => Assert.InRange(queues.Count, fewest, most));
        Assert.Equal(Queues.OrderBy(q => q.ToString()), split.Values.SelectMany(q => q).OrderBy(q => q.ToString()));
    }

    [Fact]
    public void EverySiloComputesTheSameSplitWhateverOrderItSeesTheOthersIn()
    {
        var active = new[] { Silo(30001), Silo(30002, 7), Silo(30003) };
        var reversed = active.Reverse().ToList();

        foreach (var silo in active)
        {
            Assert.Equal(EvenQueueBalancer.QueuesOf(silo, active, Queues), EvenQueueBalancer.QueuesOf(silo, reversed, Queues));
        }
    }

    [Fact]
    public void ASiloThatIsNotActiveReadsNothing() =>
        Assert.Empty(EvenQueueBalancer.QueuesOf(Silo(40000), [Silo(40001), Silo(40002)], Queues));

    [Fact]
    public async Task OnTheTwoSiloClusterEachSiloHoldsHalfTheQueues()
    {
        var mapper = new HashRingBasedStreamQueueMapper(
            new HashRingStreamQueueMapperOptions { TotalQueueCount = new ChatClusterOptions().StreamQueueCount }, ChatStreams.ProviderName);
        var queues = mapper.GetAllQueues()
            .Select(q => cluster.Client.GetGrain<IWaitingQueueGrain>(WaitingQueueAdapterFactory.QueueGrainKey(ChatStreams.ProviderName, q)))
            .ToList();

        // A queue lives with the agent that reads it (it moves there after two reads), so its silo is its reader's.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var perSilo = (await Task.WhenAll(queues.Select(q => q.Location()))).GroupBy(s => s).Select(g => g.Count()).ToList();
            if (perSilo.Count == 2 && perSilo.All(n => n == queues.Count / 2))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"queues per silo: {string.Join(", ", perSilo)}");
            await Task.Delay(100);
        }
    }
}
