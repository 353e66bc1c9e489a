using Microsoft.Extensions.Options;
using OrleansChat.Model;

namespace OrleansChat.Grains.History;

/// <summary>
/// The history store of embedded mode (one process, nothing else to run): the same rules as
/// <see cref="RedisRoomHistoryStore"/> (retention by count and age, idempotency by time, rooms that expire when
/// unused), kept in this process's memory, so history lasts as long as the process.
/// </summary>
public sealed class MemoryRoomHistoryStore(IOptions<ChatLimits> limits, TimeProvider time) : IRoomHistoryStore
{
    private const int SweepEvery = 1_024;

    private readonly HistoryRetention _retention = HistoryRetention.From(limits.Value);
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _operations;

    /// <summary>How many rooms are held (tests: abandoned rooms go away).</summary>
    public int RoomCount
    {
        get
        {
            lock (_gate)
            {
                Sweep(time.GetUtcNow());
                return _rooms.Count;
            }
        }
    }

    public Task<StoredRoom> LoadAsync(string roomId, int recentCount)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var room = Find(roomId, now);
            if (room is null)
            {
                return Task.FromResult(StoredRoom.None);
            }

            room.Touch(now, _retention);
            var count = Math.Min(recentCount, room.Log.Count);
            var recent = room.Log.GetRange(room.Log.Count - count, count);
            return Task.FromResult(new StoredRoom(true, room.ReservedSeq, room.LastSeq, recent, room.Log.Count > count));
        }
    }

    public Task ReserveSeqAsync(string roomId, long reservedSeq)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var room = FindOrCreate(roomId, now);
            room.ReservedSeq = Math.Max(room.ReservedSeq, reservedSeq);
            room.Touch(now, _retention);
            return Task.CompletedTask;
        }
    }

    public Task<AppendResult> AppendAsync(string roomId, ChatMessage message, long? knownLastSeq = null)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var room = FindOrCreate(roomId, now);
            room.TrimIds(now, _retention);
            if (room.Ids.TryGetValue(message.ClientMessageId, out var seen))
            {
                var stored = room.Find(seen.Seq) ?? message with { Seq = seen.Seq, SentAt = seen.At };
                return Task.FromResult(new AppendResult(AppendOutcome.Duplicate, stored));
            }

            if (message.Seq <= room.LastSeq || room.LastSeq > knownLastSeq)
            {
                return Task.FromResult(new AppendResult(AppendOutcome.Stale, LastSeq: room.LastSeq));
            }

            room.Log.Add(message);
            room.LastSeq = message.Seq;
            room.Ids[message.ClientMessageId] = (message.Seq, message.SentAt);
            room.IdOrder.Enqueue((message.ClientMessageId, message.SentAt));
            room.TrimLog(now, _retention);
            room.TrimIds(now, _retention);
            room.Touch(now, _retention);
            return Task.FromResult(AppendResult.Appended);
        }
    }

    public Task<HistoryPage> ReadBeforeAsync(string roomId, long beforeSeq, int limit)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var room = Find(roomId, now);
            if (room is null || limit <= 0)
            {
                return Task.FromResult(new HistoryPage([], false));
            }

            room.TrimLog(now, _retention);
            var end = room.Log.FindLastIndex(m => m.Seq < beforeSeq) + 1;
            var start = Math.Max(0, end - limit);
            return Task.FromResult(new HistoryPage(room.Log.GetRange(start, end - start), start > 0));
        }
    }

    private Room? Find(string roomId, DateTimeOffset now)
    {
        if (++_operations % SweepEvery == 0)
        {
            Sweep(now);
        }

        if (_rooms.TryGetValue(roomId, out var room) && room.ExpiresAt <= now)
        {
            _rooms.Remove(roomId);
            return null;
        }

        return room;
    }

    private Room FindOrCreate(string roomId, DateTimeOffset now)
    {
        var room = Find(roomId, now);
        if (room is null)
        {
            room = new Room();
            _rooms.Add(roomId, room);
        }

        return room;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, room) in _rooms)
        {
            if (room.ExpiresAt <= now)
            {
                _rooms.Remove(id);
            }
        }
    }

    private sealed class Room
    {
        public List<ChatMessage> Log { get; } = [];

        public Dictionary<string, (long Seq, DateTimeOffset At)> Ids { get; } = new(StringComparer.Ordinal);

        public Queue<(string Id, DateTimeOffset At)> IdOrder { get; } = new();

        public long ReservedSeq { get; set; }

        public long LastSeq { get; set; }

        public DateTimeOffset ExpiresAt { get; private set; }

        public void Touch(DateTimeOffset now, HistoryRetention retention) => ExpiresAt = now + retention.RoomExpiry;

        public ChatMessage? Find(long seq)
        {
            var index = Log.BinarySearch(new ChatMessage(seq, "", "", "", "", default), SeqOrder.Instance);
            return index >= 0 ? Log[index] : null;
        }

        public void TrimLog(DateTimeOffset now, HistoryRetention retention)
        {
            var excess = Log.Count - retention.MaxCount;
            if (retention.MaxAge > TimeSpan.Zero)
            {
                var cutoff = now - retention.MaxAge;
                var old = 0;
                while (old < Log.Count - 1 && Log[old].SentAt < cutoff)
                {
                    old++;
                }

                excess = Math.Max(excess, old);
            }

            if (excess > 0)
            {
                Log.RemoveRange(0, excess);
            }
        }

        public void TrimIds(DateTimeOffset now, HistoryRetention retention)
        {
            var cutoff = now - retention.IdempotencyWindow;
            while (IdOrder.TryPeek(out var oldest) && (oldest.At < cutoff || IdOrder.Count > retention.MaxIdempotencyKeys))
            {
                IdOrder.Dequeue();
                Ids.Remove(oldest.Id);
            }
        }
    }

    private sealed class SeqOrder : IComparer<ChatMessage>
    {
        public static readonly SeqOrder Instance = new();

        public int Compare(ChatMessage? x, ChatMessage? y) => x!.Seq.CompareTo(y!.Seq);
    }
}
