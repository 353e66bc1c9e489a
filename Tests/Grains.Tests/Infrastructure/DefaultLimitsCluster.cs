namespace OrleansChat.Grains.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class DefaultLimitsCluster : ICollectionFixture<DefaultLimitsClusterFixture>
{
    public const string Name = "default limits cluster";
}
