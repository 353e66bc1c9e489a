using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// The system clock, except that a test can step its wall-clock time (what <see cref="TimeProvider.GetUtcNow"/>
/// says) forward or back, as NTP correcting a machine's clock or a resumed VM does. The monotonic timestamp
/// (<see cref="TimeProvider.GetTimestamp"/>) is the system's and never steps.
/// </summary>
public sealed class SteppedWallClock : TimeProvider
{
    public static readonly SteppedWallClock Instance = new();

    private long _offsetTicks;

    public void Step(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>Silos whose clock is <see cref="SteppedWallClock.Instance"/>, with a lease short enough to watch.</summary>
public sealed class SteppedClockSiloConfigurator : ISiloConfigurator
{
    public static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(3);

    public void Configure(ISiloBuilder siloBuilder)
    {
        ChatTestSilo.Configure(siloBuilder, limits => limits.LeaseTimeout = LeaseTimeout);
        siloBuilder.Services.AddSingleton<TimeProvider>(SteppedWallClock.Instance);
    }
}

public sealed class SteppedClockClusterFixture : ChatClusterFixture<SteppedClockSiloConfigurator>;

[CollectionDefinition(Name)]
public sealed class SteppedClockCluster : ICollectionFixture<SteppedClockClusterFixture>
{
    public const string Name = "stepped wall clock cluster";
}
