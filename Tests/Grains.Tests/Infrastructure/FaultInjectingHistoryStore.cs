using OrleansChat.Grains.History;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// Wraps the real history store and fails the calls a test asked for through <see cref="StorageFaults"/>; otherwise
/// passes every call through unchanged.
/// </summary>
internal sealed class FaultInjectingHistoryStore(IRoomHistoryStore inner) : IRoomHistoryStore
{
    public Task<StoredRoom> LoadAsync(string roomId, int recentCount)
    {
        ThrowIf(roomId, StorageFaults.Fault.Read, "loading");
        return inner.LoadAsync(roomId, recentCount);
    }

    public async Task ReserveSeqAsync(string roomId, long reservedSeq)
    {
        ThrowIf(roomId, StorageFaults.Fault.Write, "reserving sequence numbers");
        await inner.ReserveSeqAsync(roomId, reservedSeq);
        ThrowIf(roomId, StorageFaults.Fault.LostAnswer, "the answer to a reservation");
    }

    public async Task<AppendResult> AppendAsync(string roomId, ChatMessage message, long? knownLastSeq = null)
    {
        ThrowIf(roomId, StorageFaults.Fault.Write, "appending");
        if (StorageFaults.TakeForeignWrite(roomId) is { } foreign)
        {
            // Another activation of the room (a split after a silo left) stored this first.
            await inner.AppendAsync(roomId, foreign);
        }

        var result = await inner.AppendAsync(roomId, message, knownLastSeq);
        ThrowIf(roomId, StorageFaults.Fault.LostAnswer, "the answer to an append");
        return result;
    }

    public Task<HistoryPage> ReadBeforeAsync(string roomId, long beforeSeq, int limit)
    {
        ThrowIf(roomId, StorageFaults.Fault.Read, "reading a page");
        return inner.ReadBeforeAsync(roomId, beforeSeq, limit);
    }

    private static void ThrowIf(string roomId, StorageFaults.Fault fault, string what)
    {
        if (StorageFaults.Take(roomId, fault))
        {
            throw new OrleansException($"Injected history store fault ({fault}): {what} of room '{roomId}' failed.");
        }
    }
}
