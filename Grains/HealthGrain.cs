using Orleans.Concurrency;

namespace OrleansChat.Grains;

/// <summary>Answers readiness probes on whichever silo is closest; holds no state.</summary>
[StatelessWorker]
public sealed class HealthGrain : Grain, IHealthGrain
{
    public Task<string> Ping() => Task.FromResult(RuntimeIdentity);
}
