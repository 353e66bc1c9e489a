using System.Globalization;
using System.Text;

namespace OrleansChat.Unicode;

/// <summary>
/// Unicode Normalization Form C (canonical decomposition, canonical ordering, canonical composition), in managed
/// code with its own data (<see cref="NfcData"/>, Unicode <see cref="NfcData.UnicodeVersion"/>). The solution
/// builds with <c>InvariantGlobalization</c>, where <see cref="string.Normalize()"/> returns non-ASCII text unchanged,
/// and the grain and every WebFront must normalise alike whatever ICU a host has. Text must be well-formed UTF-16.
/// </summary>
public static class Nfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>Below this, every character is a starter that composes with nothing that is also below it.</summary>
    private const char FirstCombining = '\u0300';

    private static readonly (int First, int Last, byte Class)[] Classes = ParseClasses();
    private static readonly Dictionary<int, int[]> Decomposition = [];
    private static readonly Dictionary<long, int> Composition = [];

#pragma warning disable CA1810 // both tables come from one pass over the data
    static Nfc()
#pragma warning restore CA1810
    {
        foreach (var entry in NfcData.Decompositions.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = entry.IndexOfAny(['=', '!']);
            var cp = Hex(entry.AsSpan(0, separator));
            var parts = entry[(separator + 1)..].Split('+').Select(p => Hex(p)).ToArray();
            Decomposition[cp] = parts;
            if (entry[separator] == '=' && parts.Length == 2)
            {
                Composition[Key(parts[0], parts[1])] = cp;
            }
        }
    }

    /// <summary>The NFC form of <paramref name="text"/>.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(c => c >= FirstCombining))
        {
            return text;
        }

        var decomposed = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            Decompose(rune.Value, decomposed);
        }

        SortCombiningMarks(decomposed);
        Compose(decomposed);
        var builder = new StringBuilder(text.Length);
        foreach (var cp in decomposed)
        {
            builder.Append(new Rune(cp).ToString());
        }

        var result = builder.ToString();
        return result == text ? text : result;
    }

    /// <summary>The canonical combining class of a code point (0 for starters).</summary>
    public static int CombiningClass(int cp)
    {
        int low = 0, high = Classes.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            if (cp < Classes[mid].First)
            {
                high = mid - 1;
            }
            else if (cp > Classes[mid].Last)
            {
                low = mid + 1;
            }
            else
            {
                return Classes[mid].Class;
            }
        }

        return 0;
    }

    private static void Decompose(int cp, List<int> into)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            var index = cp - SBase;
            into.Add(LBase + (index / NCount));
            into.Add(VBase + (index % NCount / TCount));
            if (index % TCount != 0)
            {
                into.Add(TBase + (index % TCount));
            }

            return;
        }

        if (Decomposition.TryGetValue(cp, out var parts))
        {
            foreach (var part in parts)
            {
                Decompose(part, into);
            }

            return;
        }

        into.Add(cp);
    }

    /// <summary>Canonical ordering: within each run of non-starters, a stable sort by combining class.</summary>
    private static void SortCombiningMarks(List<int> cps)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var klass = CombiningClass(cps[i]);
            if (klass == 0)
            {
                continue;
            }

            for (var j = i; j > 0; j--)
            {
                var before = CombiningClass(cps[j - 1]);
                if (before <= klass)
                {
                    break;
                }

                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
            }
        }
    }

    /// <summary>Canonical composition: each character joins the last starter unless something between blocks it.</summary>
    private static void Compose(List<int> cps)
    {
        if (cps.Count == 0)
        {
            return;
        }

        var starterAt = 0;
        var lastClass = CombiningClass(cps[0]) == 0 ? 0 : 256;
        var written = 1;
        for (var i = 1; i < cps.Count; i++)
        {
            var cp = cps[i];
            var klass = CombiningClass(cp);
            if (lastClass != 256 && (lastClass < klass || lastClass == 0) && TryCompose(cps[starterAt], cp, out var composite))
            {
                cps[starterAt] = composite;
                continue;
            }

            if (klass == 0)
            {
                starterAt = written;
            }

            lastClass = klass;
            cps[written++] = cp;
        }

        cps.RemoveRange(written, cps.Count - written);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + ((((first - LBase) * VCount) + (second - VBase)) * TCount);
            return true;
        }

        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }

        return Composition.TryGetValue(Key(first, second), out composite);
    }

    private static long Key(int first, int second) => ((long)first << 21) | (uint)second;

    private static int Hex(ReadOnlySpan<char> hex) => int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static (int, int, byte)[] ParseClasses() =>
    [
        .. NfcData.CombiningClasses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(entry =>
        {
            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var dash = entry.IndexOf('-', StringComparison.Ordinal);
            return (Hex(entry.AsSpan(0, dash)), Hex(entry.AsSpan(dash + 1, colon - dash - 1)),
                byte.Parse(entry.AsSpan(colon + 1), CultureInfo.InvariantCulture));
        }),
    ];
}
