namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>The cluster most tests share: default limits.</summary>
public sealed class DefaultLimitsClusterFixture : ChatClusterFixture<DefaultLimitsSiloConfigurator>;
