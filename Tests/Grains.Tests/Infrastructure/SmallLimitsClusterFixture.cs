namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>A cluster whose limits (see <see cref="SmallLimitsSiloConfigurator"/>) a test can reach quickly.</summary>
public sealed class SmallLimitsClusterFixture : ChatClusterFixture<SmallLimitsSiloConfigurator>;
