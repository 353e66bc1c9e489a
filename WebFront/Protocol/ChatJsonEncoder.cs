using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace OrleansChat.WebFront.Protocol;

/// <summary>
/// Escapes only what JSON requires (quotes, backslashes, control characters) plus U+2028/U+2029 and anything that is
/// not a valid Unicode scalar; every other character goes out as UTF-8. The default encoder writes every non-ASCII
/// character as <c>\uXXXX</c> (6 bytes for a Cyrillic letter instead of 2, 12 for an emoji instead of 4). Frames go to a
/// WebSocket and are read with <c>JSON.parse</c>, never embedded in HTML, so HTML-sensitive characters need no escaping.
/// </summary>
internal sealed class ChatJsonEncoder : JavaScriptEncoder
{
    public static readonly ChatJsonEncoder Instance = new();

    private ChatJsonEncoder()
    {
    }

    // A supplementary character that must be escaped becomes two \uXXXX escapes.
    public override int MaxOutputCharactersPerInputCharacter => 12;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or 0x2028 or 0x2029 || !Rune.IsValid(unicodeScalar);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c) || WillEncode(c))
            {
                return i;
            }
        }

        return -1;
    }

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        // Every event is written through here: skip plain ASCII with one vectorised search, decode only the rest.
        for (var i = utf8Text.IndexOfAnyExcept(PlainAscii); i >= 0 && i < utf8Text.Length;)
        {
            var b = utf8Text[i];
            if (b < 0x80)
            {
                if (!PlainAscii.Contains(b))
                {
                    return i;
                }

                i++;
                continue;
            }

            if (Rune.DecodeFromUtf8(utf8Text[i..], out var rune, out var consumed) != OperationStatus.Done || WillEncode(rune.Value))
            {
                return i;
            }

            i += consumed;
        }

        return -1;
    }

    /// <summary>ASCII that goes out as it is: printable characters (and DEL) but the quote and the backslash.</summary>
    private static readonly SearchValues<byte> PlainAscii = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x60).Select(b => (byte)b).Where(b => b is not ((byte)'"' or (byte)'\\'))]);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var output = new Span<char>(buffer, bufferLength);
        if (!WillEncode(unicodeScalar))
        {
            if (!new Rune(unicodeScalar).TryEncodeToUtf16(output, out numberOfCharactersWritten))
            {
                return false;
            }

            return true;
        }

        Span<char> utf16 = stackalloc char[2];
        var units = Rune.IsValid(unicodeScalar) ? new Rune(unicodeScalar).EncodeToUtf16(utf16) : Replace(utf16);
        numberOfCharactersWritten = 0;
        if (bufferLength < units * 6)
        {
            return false;
        }

        for (var u = 0; u < units; u++)
        {
            var unit = (int)utf16[u];
            output[numberOfCharactersWritten++] = '\\';
            output[numberOfCharactersWritten++] = 'u';
            unit.TryFormat(output[numberOfCharactersWritten..], out var written, "X4", System.Globalization.CultureInfo.InvariantCulture);
            numberOfCharactersWritten += written;
        }

        return true;

        static int Replace(Span<char> utf16)
        {
            utf16[0] = '\uFFFD';
            return 1;
        }
    }
}
