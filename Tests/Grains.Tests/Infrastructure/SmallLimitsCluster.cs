namespace OrleansChat.Grains.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class SmallLimitsCluster : ICollectionFixture<SmallLimitsClusterFixture>
{
    public const string Name = "small limits cluster";
}
