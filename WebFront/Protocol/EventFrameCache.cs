using OrleansChat.Events;

namespace OrleansChat.WebFront.Protocol;

/// <summary>
/// Serializes each room event to its JSON frame once per WebFront instead of once per socket. The stream delivers an
/// event to every subscription separately (in cluster mode each delivery is its own deserialized copy), so frames are
/// found by the event's room and sequence number and reused only for an equal event (record equality: a room that
/// lost its state could number a different event the same). A fixed array of slots bounds the memory; a collision
/// only costs one more serialization.
/// </summary>
internal sealed class EventFrameCache
{
    /// <summary>
    /// Slots (a power of two). One event's deliveries to a WebFront's sockets arrive within milliseconds of each other,
    /// so 1,024 slots cover thousands of events a second; the bound also caps the frames kept alive (each at most the
    /// draft limit) at 1,024.
    /// </summary>
    public const int DefaultSlots = 1024;

    private readonly Entry?[] _slots;

    public EventFrameCache(int slots = DefaultSlots)
    {
        if (slots < 1 || (slots & (slots - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "Must be a power of two.");
        }

        _slots = new Entry?[slots];
    }

    /// <summary>The event's frame: from the cache when an equal event was serialized recently, else serialized now.</summary>
    public byte[] Frame(ChatEvent chatEvent)
    {
        ref var slot = ref _slots[HashCode.Combine(chatEvent.Seq, chatEvent.RoomId) & (_slots.Length - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && (ReferenceEquals(entry.Event, chatEvent) || entry.Event.Equals(chatEvent)))
        {
            return entry.Frame;
        }

        var frame = ServerFrameWriter.Event(chatEvent);
        Volatile.Write(ref slot, new Entry(chatEvent, frame));
        return frame;
    }

    private sealed class Entry(ChatEvent chatEvent, byte[] frame)
    {
        public ChatEvent Event { get; } = chatEvent;

        public byte[] Frame { get; } = frame;
    }
}
