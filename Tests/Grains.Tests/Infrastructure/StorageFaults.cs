using System.Collections.Concurrent;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// Lets a test make one room's history store calls fail (see <see cref="FaultInjectingHistoryStore"/>). Keyed by
/// room id, so tests that share a cluster never affect each other.
/// </summary>
internal static class StorageFaults
{
    private static readonly ConcurrentDictionary<(string Room, Fault Fault), int> Pending = new();
    private static readonly ConcurrentDictionary<string, Model.ChatMessage> ForeignWrites = new();

    public enum Fault
    {
        /// <summary>A write (append, sequence reservation) fails before it reaches the store.</summary>
        Write,

        /// <summary>A read (loading the room, a history page) fails.</summary>
        Read,

        /// <summary>A write is stored, and then its answer is lost (the caller sees a failure).</summary>
        LostAnswer,
    }

    /// <summary>Makes the next <paramref name="count"/> writes of the room fail; dispose to stop failing.</summary>
    public static IDisposable FailNextWrites(string roomId, int count) => Arm(roomId, Fault.Write, count);

    /// <summary>Makes the next <paramref name="count"/> reads of the room fail; dispose to stop failing.</summary>
    public static IDisposable FailNextReads(string roomId, int count) => Arm(roomId, Fault.Read, count);

    /// <summary>Stores the next <paramref name="count"/> writes but reports them as failed; dispose to stop.</summary>
    public static IDisposable LoseNextWriteAnswers(string roomId, int count) => Arm(roomId, Fault.LostAnswer, count);

    /// <summary>True (and one fewer left) when this call of the room should fail now.</summary>
    public static bool Take(string roomId, Fault fault)
    {
        var key = (roomId, fault);
        while (Pending.TryGetValue(key, out var left) && left > 0)
        {
            if (Pending.TryUpdate(key, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Right before the room's next append, <paramref name="message"/> is stored as if another activation of the room
    /// had written it (two activations for a while, after a silo left the cluster).
    /// </summary>
    public static void WriteForeignBeforeNextAppend(string roomId, Model.ChatMessage message) => ForeignWrites[roomId] = message;

    /// <summary>The foreign message to store before this append of the room, once.</summary>
    public static Model.ChatMessage? TakeForeignWrite(string roomId) => ForeignWrites.TryRemove(roomId, out var message) ? message : null;

    private static IDisposable Arm(string roomId, Fault fault, int count)
    {
        Pending[(roomId, fault)] = count;
        return new Reset((roomId, fault));
    }

    private sealed class Reset((string, Fault) key) : IDisposable
    {
        public void Dispose() => Pending.TryRemove(key, out _);
    }
}
