namespace OrleansChat.Cluster.Tests;

/// <summary>
/// A real 2-silo cluster (TCP transport) and two WebFronts, each an Orleans client of a different silo's gateway.
/// </summary>
public sealed class TwoSiloClusterFixture : IAsyncLifetime
{
    private ChatTestCluster _cluster = null!;

    public WebFrontHost WebFront1 { get; private set; } = null!;

    public WebFrontHost WebFront2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ChatTestCluster.StartAsync(2);
        WebFront1 = await _cluster.StartWebFrontAsync(0, "webfront-0");
        WebFront2 = await _cluster.StartWebFrontAsync(1, "webfront-1");
    }

    public async Task DisposeAsync()
    {
        await WebFront1.DisposeAsync();
        await WebFront2.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TwoSiloClusterCollection : ICollectionFixture<TwoSiloClusterFixture>
{
    public const string Name = "Two silos, two WebFronts";
}
