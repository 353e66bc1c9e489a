using System.Globalization;
using System.Text;

namespace OrleansChat;

/// <summary>
/// What a display name may hold, so that one participant cannot pass for another (docs/protocol.md, "Display names").
/// Refused anywhere in a name: control characters (Cc), format characters (Cf: bidi embeddings, overrides, isolates
/// and marks, zero-width spaces, word joiners, BOMs, soft hyphens, tags, ...), line and paragraph separators,
/// unassigned and private-use code points, and letters that render blank (Hangul fillers, braille blank, ...). A zero-
/// width joiner or non-joiner is allowed only where it changes what is drawn: between two emoji (ZWJ only), or
/// between two letters or marks of a joining script (Arabic, Indic). A name also needs at least one visible letter,
/// digit, punctuation mark or symbol: combining marks alone are refused.
/// </summary>
internal static class DisplayNameRules
{
    private const int ZeroWidthNonJoiner = 0x200C;
    private const int ZeroWidthJoiner = 0x200D;

    /// <summary>Letters (or symbols) that fonts draw as nothing: a name made of them looks empty or like another.</summary>
    private static readonly HashSet<int> BlankLooking =
    [
        0x115F, // HANGUL CHOSEONG FILLER
        0x1160, // HANGUL JUNGSEONG FILLER
        0x3164, // HANGUL FILLER
        0xFFA0, // HALFWIDTH HANGUL FILLER
        0x2800, // BRAILLE PATTERN BLANK
        0x034F, // COMBINING GRAPHEME JOINER
        0x17B4, // KHMER VOWEL INHERENT AQ
        0x17B5, // KHMER VOWEL INHERENT AA
        0x180B, 0x180C, 0x180D, 0x180F, // MONGOLIAN FREE VARIATION SELECTORS
    ];

    /// <summary>True when <paramref name="value"/> has no lone surrogate.</summary>
    public static bool IsWellFormed(string value)
    {
        var span = value.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            span = span[used..];
        }

        return true;
    }

    /// <summary>Makes each run of inner space separators (Zs) one U+0020, so "Ana  Bo" and "Ana Bo" are one name.</summary>
    public static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        var inSpace = false;
        foreach (var c in value)
        {
            var isSpace = CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;
            if (!isSpace)
            {
                builder.Append(c);
            }
            else if (!inSpace)
            {
                builder.Append(' ');
            }

            inSpace = isSpace;
        }

        return builder.ToString();
    }

    /// <summary>True when a normalised, trimmed, non-empty name holds nothing refused and something visible.</summary>
    public static bool IsAcceptable(string name)
    {
        var runes = new List<Rune>(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            runes.Add(rune);
        }

        var visible = false;
        for (var i = 0; i < runes.Count; i++)
        {
            var value = runes[i].Value;
            if (value is ZeroWidthJoiner or ZeroWidthNonJoiner)
            {
                if (!JoinerIsMeaningful(runes, i))
                {
                    return false;
                }

                continue;
            }

            if (BlankLooking.Contains(value))
            {
                return false;
            }

            switch (Rune.GetUnicodeCategory(runes[i]))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.Surrogate:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:
                    return false;
                case UnicodeCategory.SpaceSeparator:
                case UnicodeCategory.NonSpacingMark:
                case UnicodeCategory.EnclosingMark:
                case UnicodeCategory.SpacingCombiningMark:
                    break;
                default:
                    visible = true;
                    break;
            }
        }

        return visible;
    }

    /// <summary>A ZWJ between two emoji (a family, a profession), or a ZWJ/ZWNJ inside an Arabic or Indic word.</summary>
    private static bool JoinerIsMeaningful(List<Rune> runes, int index)
    {
        if (index == 0 || index == runes.Count - 1)
        {
            return false;
        }

        var before = runes[index - 1];
        var after = runes[index + 1];
        if (runes[index].Value == ZeroWidthJoiner && IsEmojiEnd(before) && IsEmojiStart(after))
        {
            return true;
        }

        return IsJoiningScriptLetterOrMark(before) && IsJoiningScriptLetterOrMark(after);
    }

    private static bool IsEmojiStart(Rune rune) => Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherSymbol;

    /// <summary>An emoji, or what may end one before a ZWJ: variation selector 16 or a skin-tone modifier.</summary>
    private static bool IsEmojiEnd(Rune rune) =>
        rune.Value is 0xFE0F or (>= 0x1F3FB and <= 0x1F3FF) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherSymbol;

    private static bool IsJoiningScriptLetterOrMark(Rune rune)
    {
        var value = rune.Value;
        var inScript = value is (>= 0x0600 and <= 0x06FF) or (>= 0x0750 and <= 0x077F) or (>= 0x08A0 and <= 0x08FF)
            or (>= 0x0900 and <= 0x0DFF);
        if (!inScript)
        {
            return false;
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category is UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }
}
