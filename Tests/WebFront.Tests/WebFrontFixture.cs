namespace OrleansChat.WebFront.Tests;

/// <summary>
/// One embedded-mode WebFront shared by the tests of a collection (each test uses its own room), in one relay feed
/// scope: the relay tests run once per scope (<c>Chat:Relay:FeedScope</c>).
/// </summary>
public abstract class WebFrontFixture(string feedScope) : IAsyncLifetime
{
    public WebFrontHost Host { get; private set; } = null!;

    public Uri SocketUri => Host.SocketUri;

    public string FeedScope { get; } = feedScope;

    public async Task InitializeAsync() => Host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Relay:FeedScope"] = FeedScope,
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static string NewRoom() => "room-" + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>One stream subscription per (WebFront, room), the default.</summary>
public sealed class ServerFeedFixture() : WebFrontFixture("Server");

/// <summary>One stream subscription per socket.</summary>
public sealed class ConnectionFeedFixture() : WebFrontFixture("Connection");

[CollectionDefinition(Name)]
public sealed class ServerFeedCollection : ICollectionFixture<ServerFeedFixture>
{
    public const string Name = "WebFront, one feed per room";
}

[CollectionDefinition(Name)]
public sealed class ConnectionFeedCollection : ICollectionFixture<ConnectionFeedFixture>
{
    public const string Name = "WebFront, one feed per socket";
}
