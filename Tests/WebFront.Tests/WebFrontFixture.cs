namespace OrleansChat.WebFront.Tests;

/// <summary>
/// One embedded-mode WebFront shared by the tests of a collection (each test uses its own room), in one relay feed
/// scope and source: the relay tests run once per scope (<c>Chat:Relay:FeedScope</c>), and once more with feeds that
/// the WebFront's queue taps feed instead of stream subscriptions (<c>Chat:Relay:Source=QueueTap</c>).
/// </summary>
public abstract class WebFrontFixture(string feedScope, string source = "Subscription") : IAsyncLifetime
{
    public WebFrontHost Host { get; private set; } = null!;

    public Uri SocketUri => Host.SocketUri;

    public string FeedScope { get; } = feedScope;

    public async Task InitializeAsync() => Host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Relay:FeedScope"] = FeedScope,
        ["Chat:Relay:Source"] = source,
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static string NewRoom() => "room-" + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>One stream subscription per (WebFront, room), the default.</summary>
public sealed class ServerFeedFixture() : WebFrontFixture("Server");

/// <summary>One stream subscription per socket.</summary>
public sealed class ConnectionFeedFixture() : WebFrontFixture("Connection");

/// <summary>One feed per (WebFront, room), fed by the WebFront's reads of the stream queues.</summary>
public sealed class QueueTapFeedFixture() : WebFrontFixture("Server", "QueueTap");

[CollectionDefinition(Name)]
public sealed class QueueTapFeedCollection : ICollectionFixture<QueueTapFeedFixture>
{
    public const string Name = "WebFront, one feed per room, fed by queue taps";
}

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
