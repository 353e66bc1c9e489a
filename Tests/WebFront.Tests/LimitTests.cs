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
