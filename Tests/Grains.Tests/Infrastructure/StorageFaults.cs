using System.Collections.Concurrent;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// Lets a test make the next writes of one grain's state fail (see <see cref="FaultInjectingGrainStorage"/>).
/// Keyed by grain key (a room id), so tests that share a cluster never affect each other.
/// </summary>
internal static class StorageFaults
{
    private static readonly ConcurrentDictionary<string, int> FailingWrites = new(StringComparer.Ordinal);

    /// <summary>Makes the next <paramref name="count"/> writes fail; dispose the result to stop failing.</summary>
    public static IDisposable FailNextWrites(string grainKey, int count)
    {
        FailingWrites[grainKey] = count;
        return new Reset(grainKey);
    }

    /// <summary>True (and one fewer failure left) when a write of this grain's state should fail now.</summary>
    public static bool TakeWriteFailure(string grainKey)
    {
        while (FailingWrites.TryGetValue(grainKey, out var left) && left > 0)
        {
            if (FailingWrites.TryUpdate(grainKey, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Reset(string grainKey) : IDisposable
    {
        public void Dispose() => FailingWrites.TryRemove(grainKey, out _);
    }
}
