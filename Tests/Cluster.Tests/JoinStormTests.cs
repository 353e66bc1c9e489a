using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// A join storm on the real process cluster: a thousand sockets joining one room at once, half on each WebFront,
/// cost the room's stream one subscription per WebFront and a handful of pub-sub state writes in Redis, not one each.
/// </summary>
[Collection(ServerFeedProcessClusterCollection.Name)]
public sealed class JoinStormTests(ServerFeedProcessCluster cluster, ITestOutputHelper output)
{
    private const int Sockets = 1_000;

    [Fact]
    public async Task AThousandSocketsJoiningOneRoomAtOnceSubscribeOncePerWebFront()
    {
        var room = "storm-" + Guid.NewGuid().ToString("N")[..10];
        var pubSubKey = $"orleans-chat/state/pubsubrendezvous/{ChatStreams.ProviderName}/{ChatStreams.RoomNamespace}/{room}/PubSubRendezvousGrain";
        await using var monitor = await RedisMonitor.StartAsync(cluster.RedisPort);

        var sockets = new ChatSocket[Sockets];
        var started = Stopwatch.StartNew();
        try
        {
            var retries = 0;
            await Parallel.ForAsync(0, Sockets, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
            {
                // Like the browser: a join the room did not answer in time ("unavailable") is tried again on a new
                // socket. On a busy machine the room serializes a thousand joins, each with a growing snapshot.
                for (var attempt = 1; ; attempt++)
                {
                    var socket = await ChatSocket.ConnectAsync(cluster.WebFrontSocketUri(1 + (i % 2)));
                    await socket.SendAsync(new { type = "join", room, name = "storm" + i.ToString(CultureInfo.InvariantCulture) });
                    var answer = await socket.NextMatchingAsync(f => f.GetProperty("type").GetString() is "welcome" or "error", TimeSpan.FromSeconds(30));
                    if (answer.GetProperty("type").GetString() == "welcome")
                    {
                        sockets[i] = socket;
                        return;
                    }

                    await socket.DisposeAsync();
                    Assert.Equal("unavailable", answer.GetProperty("code").GetString());
                    Assert.True(attempt < 5, $"socket {i}: the join was unavailable {attempt} times");
                    Interlocked.Increment(ref retries);
                }
            });
            output.WriteLine($"{Sockets} sockets joined in {started.ElapsedMilliseconds} ms ({retries} joins retried after 'unavailable').");

            var writes = monitor.WritesTo(pubSubKey);
            var consumers = await ConsumersAsync(pubSubKey);
            output.WriteLine($"Pub-sub state of the room: {consumers} consumers, written {writes} times.");
            Assert.Equal(2, consumers);
            Assert.InRange(writes, 1, 10);
        }
        finally
        {
            await Task.WhenAll(sockets.Where(s => s is not null).Select(s => s.DisposeAsync().AsTask()));
        }
    }

    /// <summary>How many subscriptions the room stream's pub-sub state in Redis holds.</summary>
    private async Task<int> ConsumersAsync(string key)
    {
        var data = await RedisCli.RunAsync(cluster.RedisPort, "HGET", key, "data");
        const string consumer = "\"$type\":\"Orleans.Streams.PubSubSubscriptionState, Orleans.Streaming\"";
        var count = 0;
        for (var at = data.IndexOf(consumer, StringComparison.Ordinal); at >= 0; at = data.IndexOf(consumer, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
