using Orleans.Storage;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// Wraps a grain storage and fails writes a test asked for through <see cref="StorageFaults"/>; otherwise passes
/// every call through unchanged.
/// </summary>
internal sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = grainId.Key.ToString();
        if (key is not null && StorageFaults.TakeWriteFailure(key))
        {
            throw new OrleansException($"Injected storage fault: writing '{stateName}' of {grainId} failed.");
        }

        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(lifecycle);
        }
    }
}
