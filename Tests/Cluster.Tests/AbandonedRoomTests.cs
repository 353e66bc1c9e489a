using System.Globalization;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// On the real process cluster: a visitor who joins a room nobody used before, says something and leaves, leaves
/// nothing in Redis that lasts forever. Every key a room causes (its history log and idempotency keys, its stream
/// pub-sub record) carries an expiry; only the cluster's own membership table has none.
/// </summary>
[Collection(ServerFeedProcessClusterCollection.Name)]
public sealed class AbandonedRoomTests(ServerFeedProcessCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task EveryKeyARoomLeavesInRedisExpires()
    {
        var rooms = Enumerable.Range(0, 20).Select(i => "gone-" + Guid.NewGuid().ToString("N")[..10]).ToList();
        foreach (var (room, i) in rooms.Select((r, i) => (r, i)))
        {
            var (socket, _) = await ChatSocket.JoinAsync(cluster.WebFrontSocketUri(1 + (i % 2)), room, "Visitor");
            await socket.SendCommitAsync("hello", "m-" + i.ToString(CultureInfo.InvariantCulture));
            await socket.NextOfTypeAsync("commit");
            await socket.DisposeAsync();
        }

        var keys = (await RedisCliAsync("--scan")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var forever = new List<string>();
        foreach (var key in keys)
        {
            var ttl = long.Parse((await RedisCliAsync("TTL", key)).Trim(), CultureInfo.InvariantCulture);
            if (ttl < 0)
            {
                forever.Add(key);
            }
        }

        output.WriteLine($"{keys.Length} keys; without expiry: {string.Join(", ", forever)}");
        foreach (var room in rooms)
        {
            Assert.Contains(keys, k => k.Contains("{" + room + "}:log", StringComparison.Ordinal));
            Assert.Contains(keys, k => k.Contains("/" + room + "/", StringComparison.Ordinal));
        }

        Assert.All(forever, key => Assert.Contains("members", key, StringComparison.Ordinal));
    }

    private Task<string> RedisCliAsync(params string[] args) => RedisCli.RunAsync(cluster.RedisPort, args);
}
