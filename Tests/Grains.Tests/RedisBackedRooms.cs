using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansChat.Grains.Tests.Infrastructure;
using OrleansChat.Hosting;
using OrleansChat.Model;
using StackExchange.Redis;

namespace OrleansChat.Grains.Tests;

/// <summary>A chat silo whose rooms keep their history in a real Redis (as in cluster mode).</summary>
public abstract class RedisHistorySiloConfigurator(TimeSpan roomExpiry) : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddChatStorageAndStreams(new ChatClusterOptions { StreamPollPeriod = TimeSpan.FromMilliseconds(5) });
        siloBuilder.Services.AddChatLimits();
        siloBuilder.Services.Configure<ChatLimits>(l => l.RoomExpiry = roomExpiry);
        siloBuilder.Services.AddSiloRedisConnection(RedisConfiguration.Parse(ConnectionString, "silo"));
        siloBuilder.Services.AddRedisHistory("chat");
    }

    protected abstract string ConnectionString { get; }
}

/// <summary>Rooms expire after the default 30 days.</summary>
public sealed class DefaultExpiryRedisSilo() : RedisHistorySiloConfigurator(TimeSpan.FromDays(30))
{
    internal static string Redis { get; set; } = "";

    protected override string ConnectionString => Redis;
}

/// <summary>Rooms expire 3 s after their last activity, so a test can watch abandoned rooms go.</summary>
public sealed class ShortExpiryRedisSilo() : RedisHistorySiloConfigurator(TimeSpan.FromSeconds(3))
{
    internal static string Redis { get; set; } = "";

    protected override string ConnectionString => Redis;
}

/// <summary>A real redis-server and a one-silo cluster whose rooms use it.</summary>
public abstract class RedisBackedRoomsFixture<TSilo>(Action<string> useRedis) : IAsyncLifetime
    where TSilo : ISiloConfigurator, new()
{
    public RedisServer Redis { get; private set; } = null!;

    public TestCluster Cluster { get; private set; } = null!;

    public IChatRoomGrain Room(string id) => Cluster.Client.GetGrain<IChatRoomGrain>(id);

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        useRedis(Redis.ConnectionString);
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<TSilo>();
        builder.AddClientBuilderConfigurator<ChatClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await WaitUntilRoomsReachRedisAsync();
    }

    /// <summary>
    /// The silo connects to Redis on first use, in the background; on a loaded machine its first commands can time
    /// out in the client's backlog. Tests start once a room has been read from Redis.
    /// </summary>
    private async Task WaitUntilRoomsReachRedisAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await Room("warm-up-" + Guid.NewGuid().ToString("N")).GetSnapshot();
                return;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

public sealed class DefaultExpiryRedisFixture() : RedisBackedRoomsFixture<DefaultExpiryRedisSilo>(r => DefaultExpiryRedisSilo.Redis = r);

public sealed class ShortExpiryRedisFixture() : RedisBackedRoomsFixture<ShortExpiryRedisSilo>(r => ShortExpiryRedisSilo.Redis = r);

/// <summary>Rooms over a real Redis that stops mid-conversation: nothing confirmed is lost, nothing is stored twice.</summary>
public sealed class RedisOutage(DefaultExpiryRedisFixture fixture) : IClassFixture<DefaultExpiryRedisFixture>
{
    private IChatRoomGrain Room(string id) => fixture.Room(id);

    [Fact]
    public async Task ACommitWhileRedisIsDownIsRefusedThenStoredExactlyOnceAfterItRestarts()
    {
        var roomId = TestRooms.NewId();
        var room = Room(roomId);
        await room.JoinOkAsync("conn-alice", "Alice");
        var before = await room.CommitOkAsync("conn-alice", "before the outage", "msg-1");

        await fixture.Redis.StopAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => room.Commit("conn-alice", "during the outage", "msg-2"));
            await Assert.ThrowsAnyAsync<Exception>(() => room.Commit("conn-alice", "during the outage", "msg-2"));
        }
        finally
        {
            await fixture.Redis.StartAgainAsync();
        }

        // The client retries with the same id until it is confirmed, as the browser does.
        CommitResult retried;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                retried = await room.Commit("conn-alice", "during the outage", "msg-2");
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(retried.Status is ChatStatus.Ok or ChatStatus.Duplicate, retried.Status.ToString());
        var again = await room.Commit("conn-alice", "during the outage", "msg-2");
        Assert.Equal(ChatStatus.Duplicate, again.Status);
        Assert.Equal(["before the outage", "during the outage"], (await room.GetSnapshot()).History.Select(m => m.Text));

        await using var redis = await fixture.Redis.ConnectAsync();
        var stored = await redis.GetDatabase().StreamRangeAsync($"chat:{{{roomId}}}:log");
        Assert.Equal(["msg-1", "msg-2"], stored.Select(e => e["id"].ToString()));
        Assert.Equal(before, (await room.GetSnapshot()).History[0]);
    }

}

/// <summary>Rooms nobody uses any more cost nothing: their keys expire.</summary>
public sealed class AbandonedRooms(ShortExpiryRedisFixture fixture) : IClassFixture<ShortExpiryRedisFixture>
{
    private IChatRoomGrain Room(string id) => fixture.Room(id);

    [Fact]
    public async Task TenThousandAbandonedRoomsLeaveRedisAsSmallAsItWas()
    {
        await using var redis = await fixture.Redis.ConnectAsync();
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var baseline = await UsedMemoryAsync(server);

        // connect -> join a random room -> say something -> leave, 10,000 times.
        var rooms = Enumerable.Range(0, 10_000).Select(_ => TestRooms.NewId()).ToList();
        foreach (var batch in rooms.Chunk(100))
        {
            await Task.WhenAll(batch.Select(async id =>
            {
                var room = Room(id);
                var joined = await room.Join("conn-a", "Ada");
                Assert.True(joined.Status == ChatStatus.Ok && joined.Created, $"{joined.Status}, created: {joined.Created}");
                await room.CommitOkAsync("conn-a", "hello", "m-1");
                await room.Leave("conn-a");
            }));
        }

        // Each room left its log, ids, id times and meta keys (the first ones may have expired already).
        var last = rooms[^1];
        RedisKey[] keys = [$"chat:{{{last}}}:log", $"chat:{{{last}}}:ids", $"chat:{{{last}}}:idtimes", $"chat:{{{last}}}:meta"];
        Assert.Equal(4, await redis.GetDatabase().KeyExistsAsync(keys));
        Assert.True(await server.DatabaseSizeAsync() > 0);

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await server.DatabaseSizeAsync() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{await server.DatabaseSizeAsync()} keys are still there.");
            await Task.Delay(250);
        }

        var after = await UsedMemoryAsync(server);
        Assert.True(after < baseline + 2 * 1024 * 1024, $"Redis used {baseline:N0} bytes before and {after:N0} after.");
    }

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(kv => kv.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}

/// <summary>A Redis-backed silo of its own (the connection string is not shared with the fixtures above).</summary>
public sealed class StartupRedisSilo() : RedisHistorySiloConfigurator(TimeSpan.FromDays(30))
{
    internal static string Redis { get; set; } = "";

    protected override string ConnectionString => Redis;
}

/// <summary>
/// The history connection is opened while the silo starts: opened on first use instead, its synchronous connect ran
/// inside the first room's activation and stalled an Orleans scheduler thread (4.6 s in a benchmark on busy cores).
/// </summary>
public sealed class RedisConnectionAtStart
{
    [Fact]
    public async Task TheSiloOpensItsHistoryConnectionWhileItStartsBeforeAnyRoomActivates()
    {
        await using var redis = await RedisServer.StartAsync();
        StartupRedisSilo.Redis = redis.ConnectionString;
        var builder = new TestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<StartupRedisSilo>();
        builder.AddClientBuilderConfigurator<ChatClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var silo = Assert.IsType<InProcessSiloHandle>(cluster.Primary);
            var connection = silo.SiloHost.Services.GetRequiredService<SiloRedisConnection>();
            Assert.True(connection.IsOpened, "no room has activated, yet the connection should be open");
            Assert.True(connection.Connection.IsConnected);

            // And rooms use it.
            var room = cluster.Client.GetGrain<IChatRoomGrain>(TestRooms.NewId());
            await room.JoinOkAsync("conn-alice", "Alice");
            await room.CommitOkAsync("conn-alice", "stored in redis", "msg-1");
            var stored = await connection.Connection.GetDatabase().ExecuteAsync("DBSIZE");
            Assert.True((long)stored > 0);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
