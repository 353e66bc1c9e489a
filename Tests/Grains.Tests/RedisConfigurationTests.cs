using Microsoft.Extensions.Options;
using OrleansChat.Grains.Tests.Infrastructure;
using OrleansChat.Hosting;
using StackExchange.Redis;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// How a node connects to Redis (<see cref="RedisConfiguration"/>, <see cref="SiloRedisConnection"/>), against a real
/// redis-server: one named socket per process, shared by every Redis user of a silo.
/// </summary>
public sealed class RedisConfigurationTests
{
    [Fact]
    public async Task AConnectionOpensOneNamedSocketAndNoPubSubSocket()
    {
        await using var redis = await RedisServer.StartAsync();
        var options = RedisConfiguration.Parse(redis.ConnectionString, "silo");
        Assert.Equal(RedisConfiguration.ClientName("silo"), options.ClientName);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        await connection.GetDatabase().StringSetAsync("k", "v");

        Assert.Equal(1, await SocketsNamedAsync(redis, options.ClientName!));
        Assert.Contains("$SUBSCRIBE=", options.ToString(), StringComparison.Ordinal); // the command map as written out
        Assert.Equal("", options.ConfigurationChannel);
    }

    [Fact]
    public void AConnectionStringKeepsItsOwnNameAndCommandMap()
    {
        var named = RedisConfiguration.Parse("127.0.0.1:6379,name=ops-console", "silo");
        Assert.Equal("ops-console", named.ClientName);

        var renamed = RedisConfiguration.Parse("127.0.0.1:6379,$INFO=", "client");
        Assert.Contains("$INFO=", renamed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("$SUBSCRIBE=", renamed.ToString(), StringComparison.Ordinal); // kept as written
        Assert.False(renamed.AbortOnConnectFail);
    }

    [Fact]
    public void ABadConnectionStringIsAClearError()
    {
        var error = Assert.Throws<OptionsValidationException>(() => RedisConfiguration.Parse("127.0.0.1:6379,connectTimeout=soon", "silo"));
        Assert.Contains("ConnectionStrings:Redis is not a valid Redis connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryUserOfASilosConnectionGetsTheSameOneAndOnlyItsOwnerClosesIt()
    {
        await using var redis = await RedisServer.StartAsync();
        var options = RedisConfiguration.Parse(redis.ConnectionString, "silo");
        var owner = new SiloRedisConnection(options);

        // Three Orleans providers and the history store ask at once, as they do while a silo starts.
        var asks = await Task.WhenAll(owner.SharedAsync(), owner.SharedAsync(), owner.SharedAsync());
        Assert.All(asks, a => Assert.True(a.IsShared, "a provider must not dispose the shared connection"));
        Assert.All(asks, a => Assert.Same(owner.Connection, a.Multiplexer));
        Assert.True(owner.IsOpened);
        Assert.Equal(1, await SocketsNamedAsync(redis, options.ClientName!));

        await owner.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => owner.Connection);
        await WaitUntilAsync(async () => await SocketsNamedAsync(redis, options.ClientName!) == 0, "the socket closes with its owner");
    }

    private static async Task<int> SocketsNamedAsync(RedisServer redis, string name)
    {
        var options = ConfigurationOptions.Parse(redis.ConnectionString);
        options.AllowAdmin = true;
        options.ClientName = "observer";
        await using var observer = await ConnectionMultiplexer.ConnectAsync(options);
        var clients = await observer.GetServer(observer.GetEndPoints()[0]).ClientListAsync();
        return clients.Count(c => c.Name == name);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            await Task.Delay(50);
        }
    }
}
