using System.Net.WebSockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>A WebFront with small limits, so floods, capacity and slow sockets can be provoked quickly.</summary>
public sealed class LimitedWebFrontFixture : IAsyncLifetime
{
    public WebFrontHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Socket:FramesPerSecond"] = "5",
        ["Chat:Socket:FrameBurst"] = "10",
        ["Chat:Socket:FloodCloseThreshold"] = "40",
        ["Chat:Socket:MaxConnections"] = "3",
        ["Chat:Socket:AllowedOrigins:0"] = "https://chat.example",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class LimitedWebFrontCollection : ICollectionFixture<LimitedWebFrontFixture>
{
    public const string Name = "Limited WebFront";
}

[Collection(LimitedWebFrontCollection.Name)]
public sealed class LimitTests(LimitedWebFrontFixture fixture)
{
    [Fact]
    public async Task AFloodIsRateLimitedThenClosedWithPolicyViolation()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.Host.SocketUri);
        var flood = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 500 && socket.State == WebSocketState.Open; i++)
                {
                    await socket.SendTextAsync("{\"type\":\"cancel\"}");
                }
            }
            catch (WebSocketException)
            {
                // The server closed on us mid-flood: expected.
            }
        });

        Assert.Equal("rate_limited", (await socket.NextMatchingAsync(f => f.GetRawText().Contains("rate_limited", StringComparison.Ordinal)))
            .GetProperty("code").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitForCloseAsync());
        await flood;
    }

    [Fact]
    public async Task ACommitDroppedForRateIsAnsweredWithItsIdSoTheClientCanSendItAgain()
    {
        // Frames pile up while a slow room call holds the reader and then come in faster than they were sent: the
        // dropped chunks may be reported once a second, but a dropped commit must be named, or it is lost for good.
        var (socket, _) = await ChatSocket.JoinAsync(fixture.Host.SocketUri, "rate-commits", "Ria");
        await using var _s = socket;
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        foreach (var id in ids)
        {
            await socket.SendCommitAsync("message " + id, id);
        }

        var stored = new HashSet<string>();
        var refused = new HashSet<string>();
        while (stored.Count + refused.Count < ids.Count)
        {
            var frame = await socket.NextMatchingAsync(f => f.GetProperty("type").GetString() is "commit" or "error");
            if (frame.GetProperty("type").GetString() == "commit")
            {
                stored.Add(frame.GetProperty("message").GetProperty("clientMessageId").GetString()!);
            }
            else if (frame.TryGetProperty("ref", out var reference) && reference.GetString() is { } id)
            {
                Assert.Equal("rate_limited", frame.GetProperty("code").GetString());
                refused.Add(id);
            }
        }

        Assert.NotEmpty(refused);
        Assert.Empty(stored.Intersect(refused));
        Assert.True(ids.All(id => stored.Contains(id) || refused.Contains(id)));
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimitAreRefusedWith503()
    {
        var open = new List<ChatSocket>();
        try
        {
            WebSocketException? refused = null;
            for (var i = 0; i < 5 && refused is null; i++)
            {
                try
                {
                    open.Add(await ChatSocket.ConnectAsync(fixture.Host.SocketUri));
                }
                catch (WebSocketException ex)
                {
                    refused = ex;
                }
            }

            Assert.NotNull(refused);
            Assert.Contains("503", refused.Message, StringComparison.Ordinal);
            Assert.True(open.Count <= 3);
        }
        finally
        {
            foreach (var socket in open)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AnOriginOnTheAllowListIsAccepted()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.Host.SocketUri, origin: "https://chat.example");
        await socket.SendAsync(new { type = "join", room = "allowed-origin", name = "Eve" });
        await socket.NextOfTypeAsync("welcome");
    }
}
