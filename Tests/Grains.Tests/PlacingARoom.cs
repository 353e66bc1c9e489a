using Orleans.Configuration;
using Orleans.Streams;
using OrleansChat.Grains.Streaming;
using OrleansChat.Hosting;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// A room is activated on the silo of its stream's queue grain (on a 2-silo cluster), so publishing an event is a
/// call inside one silo.
/// </summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class PlacingARoom(DefaultLimitsClusterFixture cluster)
{
    [Fact]
    public async Task EveryRoomLivesOnTheSiloOfItsStreamQueue()
    {
        var mapper = new HashRingBasedStreamQueueMapper(
            new HashRingStreamQueueMapperOptions { TotalQueueCount = new ChatClusterOptions().StreamQueueCount }, ChatStreams.ProviderName);
        var management = cluster.Client.GetGrain<IManagementGrain>(0);

        for (var i = 0; i < 24; i++)
        {
            var roomId = TestRooms.NewId();
            var room = cluster.Room(roomId);
            Assert.Equal(ChatStatus.Ok, (await room.Join("c-" + i, "Ann")).Status);

            var queue = mapper.GetQueueForStream(ChatStreams.ForRoom(roomId));
            var queueSilo = await cluster.Client
                .GetGrain<IWaitingQueueGrain>(WaitingQueueAdapterFactory.QueueGrainKey(ChatStreams.ProviderName, queue)).Location();
            Assert.Equal(queueSilo, await management.GetActivationAddress(room));
        }
    }
}
