namespace OrleansChat.WebFront.Tests;

/// <summary>One embedded-mode WebFront shared by the tests of a collection (each test uses its own room).</summary>
public sealed class WebFrontFixture : IAsyncLifetime
{
    public WebFrontHost Host { get; private set; } = null!;

    public Uri SocketUri => Host.SocketUri;

    public async Task InitializeAsync() => Host = await WebFrontHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static string NewRoom() => "room-" + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name)]
public sealed class WebFrontCollection : ICollectionFixture<WebFrontFixture>
{
    public const string Name = "WebFront";
}
