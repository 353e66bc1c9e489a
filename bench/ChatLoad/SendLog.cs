namespace OrleansChat.Bench;

/// <summary>
/// What one typist sent, by number (chunk senderSeq or commit number, from 1): when, in which step, and whether inside
/// that step's measured window. One writer (the typist's loop, before each send) and any number of readers (receive
/// loops, after the frame came back): entries are written once, before the frame leaves, and never changed.
/// </summary>
public sealed class SendLog
{
    private Entry[] _entries = new Entry[64];
    private int _count;

    /// <summary>Numbers 1..Count have been used.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records the next number and returns it.</summary>
    public int Add(long timestamp, int step, bool inWindow)
    {
        var number = _count + 1;
        var entries = _entries;
        if (number >= entries.Length)
        {
            var grown = new Entry[entries.Length * 2];
            Array.Copy(entries, grown, entries.Length);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }

        entries[number] = new Entry(timestamp, step, inWindow);
        Volatile.Write(ref _count, number);
        return number;
    }

    public bool TryGet(long number, out Entry entry)
    {
        if (number >= 1 && number <= Count)
        {
            entry = Volatile.Read(ref _entries)[number];
            return true;
        }

        entry = default;
        return false;
    }

    public IEnumerable<Entry> Entries()
    {
        var entries = Volatile.Read(ref _entries);
        for (var i = 1; i <= Count; i++)
        {
            yield return entries[i];
        }
    }

    public readonly record struct Entry(long Timestamp, int Step, bool InWindow);
}

/// <summary>A growable bit set (which numbers a receiver has seen from one sender).</summary>
public sealed class BitSet
{
    private ulong[] _words = new ulong[4];

    /// <summary>Sets the bit; false if it was already set.</summary>
    public bool Add(long index)
    {
        var word = (int)(index >> 6);
        if (word >= _words.Length)
        {
            Array.Resize(ref _words, Math.Max(word + 1, _words.Length * 2));
        }

        var mask = 1UL << (int)(index & 63);
        if ((_words[word] & mask) != 0)
        {
            return false;
        }

        _words[word] |= mask;
        return true;
    }

    public bool Contains(long index)
    {
        var word = (int)(index >> 6);
        return word < _words.Length && (_words[word] & (1UL << (int)(index & 63))) != 0;
    }
}
