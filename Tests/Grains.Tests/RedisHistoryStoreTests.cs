using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansChat.Grains.History;
using OrleansChat.Grains.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansChat.Grains.Tests;

/// <summary>One real redis-server for the Redis store tests.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Redis = await Server.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>The store contract against a real Redis, and what only Redis shows: the layout, expiry and the cost of an append.</summary>
public sealed class RedisHistoryStoreTests(RedisFixture redis) : HistoryStoreContract, IClassFixture<RedisFixture>
{
    private RedisRoomHistoryStore? _store;

    protected override Task<IRoomHistoryStore> CreateAsync(ChatLimits limits)
    {
        _store = new RedisRoomHistoryStore(redis.Redis, Options.Create(limits), Time, "test");
        return Task.FromResult<IRoomHistoryStore>(_store);
    }

    [Fact]
    public async Task ARoomIsAStreamAndThreeSmallKeysReadableWithRedisCliThatExpireWhenUnused()
    {
        var store = await CreateAsync(Limits());
        var roomId = TestRooms.NewId();
        await store.AppendAsync(roomId, Message(5, "first-id", "Grüße 👋"));
        var db = redis.Redis.GetDatabase();
        var keys = _store!.Keys(roomId);

        Assert.Equal($"test:{{{roomId}}}:log", keys[0].ToString());
        Assert.Equal("stream", (await db.KeyTypeAsync(keys[0])).ToString().ToLowerInvariant());
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(keys[1]));
        Assert.Equal(RedisType.SortedSet, await db.KeyTypeAsync(keys[2]));
        Assert.Equal(RedisType.Hash, await db.KeyTypeAsync(keys[3]));
        var entry = Assert.Single(await db.StreamRangeAsync(keys[0]));
        Assert.Equal("5-0", entry.Id.ToString());
        Assert.Equal("Grüße 👋", entry["text"].ToString());
        Assert.Equal("first-id", entry["id"].ToString());
        Assert.Equal("5", (await db.HashGetAsync(keys[3], "last")).ToString());
        foreach (var key in keys)
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromDays(29), TimeSpan.FromDays(30));
        }
    }

    [Fact]
    public async Task AnAbandonedRoomsKeysAreGoneAfterTheRoomExpiry()
    {
        var limits = Limits();
        limits.RoomExpiry = TimeSpan.FromSeconds(1);
        var store = await CreateAsync(limits);
        var roomId = TestRooms.NewId();
        await store.ReserveSeqAsync(roomId, 10_000);
        await store.AppendAsync(roomId, Message(1));
        var db = redis.Redis.GetDatabase();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await db.KeyExistsAsync(_store!.Keys(roomId)) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the room's keys did not expire");
            await Task.Delay(100);
        }

        Assert.False((await store.LoadAsync(roomId, 10)).Exists);
    }

    [Fact]
    public async Task AnAppendWritesTheSameBytesWhateverTheHistoryLength()
    {
        var store = await CreateAsync(Limits(maxHistory: 100_000));
        var roomId = TestRooms.NewId();
        var text = new string('x', 4_000);
        var seq = 0L;

        async Task<long> BytesOfOneAppendAsync()
        {
            var before = await NetInputBytesAsync();
            await store.AppendAsync(roomId, Message(++seq, text: text));
            return await NetInputBytesAsync() - before;
        }

        // The server counts every client's input: a heartbeat landing inside one window only ever adds bytes, so
        // the smallest of a few windows is what one append itself sends.
        async Task<long> FewestBytesOfAnAppendAsync()
        {
            var fewest = long.MaxValue;
            for (var i = 0; i < 5; i++)
            {
                fewest = Math.Min(fewest, await BytesOfOneAppendAsync());
            }

            return fewest;
        }

        await BytesOfOneAppendAsync();
        var small = await FewestBytesOfAnAppendAsync();
        for (var i = 0; i < 2_000; i++)
        {
            await store.AppendAsync(roomId, Message(++seq, text: text));
        }

        var large = await FewestBytesOfAnAppendAsync();

        // The whole-state design wrote the whole history (8 MB here) per commit; an append is its own message only.
        Assert.InRange(small, 4_000, 6_000);
        Assert.InRange(large, small - 16, small + 16);
    }

    private async Task<long> NetInputBytesAsync()
    {
        var server = redis.Redis.GetServer(redis.Redis.GetEndPoints()[0]);
        var info = await server.InfoAsync("stats");
        var value = info.SelectMany(g => g).First(kv => kv.Key == "total_net_input_bytes").Value;
        return long.Parse(value, CultureInfo.InvariantCulture);
    }
}
