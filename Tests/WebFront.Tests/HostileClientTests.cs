using System.Net.WebSockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>A WebFront with small per-address limits, a short join deadline and fast keep-alive pings.</summary>
public sealed class HostileClientFixture : IAsyncLifetime
{
    public const int PerAddress = 3;

    public WebFrontHost Host { get; private set; } = null!;

    public CollectingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync() => Host = await WebFrontHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["Chat:Socket:MaxConnectionsPerAddress"] = PerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Chat:Socket:JoinTimeout"] = "00:00:02",
            ["Chat:Socket:KeepAliveInterval"] = "00:00:01",
            ["Chat:Socket:KeepAliveTimeout"] = "00:00:01",
            ["Chat:Socket:RefusalLogInterval"] = "00:00:02",
            ["Chat:Limits:MaxParticipantsPerRoomPerAddress"] = "2",
        },
        Logs);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class HostileClientCollection : ICollectionFixture<HostileClientFixture>
{
    public const string Name = "WebFront with per-address limits";
}

[Collection(HostileClientCollection.Name)]
public sealed class HostileClientTests(HostileClientFixture fixture)
{
    private static Dictionary<string, string> From(string address) => new() { ["X-Forwarded-For"] = address };

    [Fact]
    public async Task OneAddressCannotHoldMoreThanItsShareOfSockets()
    {
        // The test talks through loopback, which is a trusted proxy by default: the forwarded address counts.
        var open = new List<RawWebSocketClient>();
        try
        {
            for (var i = 0; i < HostileClientFixture.PerAddress; i++)
            {
                var client = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, From("203.0.113.7"));
                open.Add(client);
                Assert.True(client.Upgraded, client.ResponseHead);
            }

            await using var refused = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, From("203.0.113.7"));
            Assert.StartsWith("HTTP/1.1 429", refused.ResponseHead, StringComparison.Ordinal);

            // Another address is not affected.
            await using var other = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, From("198.51.100.20"));
            Assert.True(other.Upgraded, other.ResponseHead);
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }

        // Closing gives the address its share back.
        await WaitUntilAsync(async () =>
        {
            await using var again = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, From("203.0.113.7"));
            return again.Upgraded;
        });
    }

    [Fact]
    public async Task OneAddressCannotFillARoom()
    {
        var room = WebFrontFixture.NewRoom();
        var (first, _) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, room, "First", headers: From("203.0.113.50"));
        await using var _f = first;
        var (second, _) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, room, "Second", headers: From("203.0.113.50"));
        await using var _s = second;

        // A third socket from that address is refused a place in this room, not in others, and not another address.
        await using var third = await ChatSocket.ConnectAsync(fixture.Host.SocketUri, headers: From("203.0.113.50"));
        await third.SendAsync(new { type = "join", room, name = "Third" });
        Assert.Equal("too_many_from_address", await third.NextErrorCodeAsync());
        var (elsewhere, _) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, room, "Neighbour", headers: From("198.51.100.50"));
        await using var _e = elsewhere;

        // When one of the two leaves, its place is free again for that address.
        await first.DisposeAsync();
        await second.NextOfTypeAsync("left");
        await third.SendAsync(new { type = "join", room, name = "Third" });
        await third.NextOfTypeAsync("welcome");
    }

    [Fact]
    public async Task AnIpv6ClientIsCountedByItsSlash64()
    {
        var open = new List<RawWebSocketClient>();
        try
        {
            for (var i = 1; i <= HostileClientFixture.PerAddress; i++)
            {
                var client = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, From($"2001:db8:1:2::{i:x}"));
                open.Add(client);
                Assert.True(client.Upgraded, client.ResponseHead);
            }

            await using var refused = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, From("2001:db8:1:2:ffff::99"));
            Assert.StartsWith("HTTP/1.1 429", refused.ResponseHead, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ASocketThatDoesNotJoinIsClosedWithAReason()
    {
        await using var idle = await ChatSocket.ConnectAsync(fixture.Host.SocketUri);
        Assert.Equal("join_timeout", await idle.NextErrorCodeAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await idle.WaitForCloseAsync());
        Assert.Contains("Join a room within 2 s", idle.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJoinedSocketOutlivesTheJoinDeadline()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, room, "Alice");
        await using var _a = alice;
        await using var idle = await ChatSocket.ConnectAsync(fixture.Host.SocketUri);

        // Alice connected first, so her deadline has passed once the idle socket is closed for missing its own.
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await idle.WaitForCloseAsync());
        var (bob, welcome) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, room, "Bob");
        await using var _b = bob;
        await alice.NextOfTypeAsync("joined", TimeSpan.FromSeconds(5));
        Assert.Contains(welcome.GetProperty("participants").EnumerateArray(), p => p.GetProperty("name").GetString() == "Alice");
        Assert.Equal(WebSocketState.Open, alice.State);
    }

    [Fact]
    public async Task AHalfOpenClientIsDroppedAndLeavesTheRoom()
    {
        var room = WebFrontFixture.NewRoom();
        var (watcher, _) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, room, "Watcher");
        await using var _w = watcher;

        // Joins, then never reads or answers a ping again, and never closes: a laptop that went to sleep.
        await using var sleeper = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri);
        Assert.True(sleeper.Upgraded, sleeper.ResponseHead);
        await sleeper.SendTextAsync("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"Sleeper\"}");
        var joined = await watcher.NextOfTypeAsync("joined");
        var sleeperId = joined.GetProperty("participant").GetProperty("connectionId").GetString();

        // Ping every 1 s, pong expected within 1 s: the server gives up within seconds, not the kernel's ~15 minutes.
        var left = await watcher.NextOfTypeAsync("left", TimeSpan.FromSeconds(15));
        Assert.Equal(sleeperId, left.GetProperty("connectionId").GetString());
        Assert.True(await sleeper.WaitForServerToDropAsync(TimeSpan.FromSeconds(15)), "the server closed the TCP connection");
    }

    [Fact]
    public async Task RefusedOriginsAreLoggedOncePerIntervalWithACount()
    {
        bool IsOriginRefusal(CollectingLoggerProvider.LogEntry e) => e.EventId.Id == 2010 && e.Message.Contains("Origin", StringComparison.Ordinal);
        var before = fixture.Logs.Entries.Count(IsOriginRefusal);
        var hostile = "https://evil.example/" + new string('x', 500);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            await using var client = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, new Dictionary<string, string> { ["Origin"] = hostile });
            Assert.StartsWith("HTTP/1.1 403", client.ResponseHead, StringComparison.Ordinal);
        }

        // One line per 2 s interval at most: on a fast machine the 50 fit in one interval (one line); on a busy CI
        // machine they may span a few (a run took 9 s), never one line each.
        var intervals = (int)(started.Elapsed / TimeSpan.FromSeconds(2)) + 1;
        var logged = fixture.Logs.Entries.Where(IsOriginRefusal).Skip(before).ToList();
        Assert.True(logged.Count <= intervals, $"50 refusals over {started.Elapsed.TotalSeconds:F1} s are logged at most once per 2 s interval ({intervals}), got {logged.Count}");
        Assert.True(logged.Count < 10, $"50 refusals are not logged one by one, got {logged.Count} lines");
        Assert.All(logged, e => Assert.DoesNotContain(new string('x', 100), e.Message, StringComparison.Ordinal));

        // After the interval, the next refusal's line counts the ones that were not logged.
        await WaitUntilAsync(async () =>
        {
            await using var client = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, new Dictionary<string, string> { ["Origin"] = hostile });
            return fixture.Logs.Entries.Where(IsOriginRefusal).Skip(before).Any(e => !e.Message.StartsWith("Refused 1 ", StringComparison.Ordinal));
        });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + ChatSocket.DefaultTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(100);
        }
    }
}

/// <summary>A WebFront that trusts forwarded headers only from a proxy network the test is not in.</summary>
public sealed class UntrustedProxyFixture : IAsyncLifetime
{
    public WebFrontHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Socket:MaxConnectionsPerAddress"] = "2",
        ["Chat:ForwardedHeaders:KnownNetworks:0"] = "192.0.2.0/24",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class ForwardedHeaderTests(UntrustedProxyFixture fixture) : IClassFixture<UntrustedProxyFixture>
{
    [Fact]
    public async Task AForwardedAddressFromAnUntrustedPeerIsIgnored()
    {
        // Each claims another address, but the peer (127.0.0.1) is not a trusted proxy here: all count as one.
        await using var first = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.1" });
        await using var second = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.2" });
        await using var third = await RawWebSocketClient.ConnectAsync(fixture.Host.SocketUri, new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.3" });
        Assert.True(first.Upgraded && second.Upgraded, first.ResponseHead + second.ResponseHead);
        Assert.StartsWith("HTTP/1.1 429", third.ResponseHead, StringComparison.Ordinal);
    }
}
