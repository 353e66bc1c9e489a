using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace OrleansChat.WebFront.Protocol;

/// <summary>
/// Parses one client text frame with <see cref="Utf8JsonReader"/>: no intermediate DOM, exact messages for
/// the client about what is wrong (bad JSON, a field of the wrong type, a missing or unknown type).
/// Unknown fields are ignored so clients can add fields without breaking older servers. The result is a typed
/// <see cref="ClientCommand"/> that has every field its type needs.
/// </summary>
internal static class ClientFrameParser
{
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out ClientCommand? command, out ProtocolError error)
    {
        if (TryParse(utf8, out command, out error, out var type))
        {
            return true;
        }

        // A client waiting for a page must learn that its request failed: history errors say so in "ref".
        if (type == "history")
        {
            error = error with { Ref = HistoryCommand.ErrorRef };
        }

        return false;
    }

    private static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out ClientCommand? command, out ProtocolError error, out string? type)
    {
        command = null;
        type = null;
        string? room = null, name = null, text = null, id = null;
        long? seq = null, before = null, limit = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = new(ErrorCodes.InvalidFrame, "A frame must be a JSON object with a \"type\" field.");
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    if (!TryReadString(ref reader, "type", out type, out error)) return false;
                }
                else if (reader.ValueTextEquals("room"u8))
                {
                    if (!TryReadString(ref reader, "room", out room, out error)) return false;
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    if (!TryReadString(ref reader, "name", out name, out error)) return false;
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    if (!TryReadString(ref reader, "text", out text, out error)) return false;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    if (!TryReadString(ref reader, "id", out id, out error)) return false;
                }
                else if (reader.ValueTextEquals("seq"u8))
                {
                    if (!TryReadWhole(ref reader, "seq", out seq, out error)) return false;
                }
                else if (reader.ValueTextEquals("before"u8))
                {
                    if (!TryReadWhole(ref reader, "before", out before, out error)) return false;
                }
                else if (reader.ValueTextEquals("limit"u8))
                {
                    if (!TryReadWhole(ref reader, "limit", out limit, out error)) return false;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = new(ErrorCodes.InvalidJson, "The frame is not valid JSON.");
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8.
            error = new(ErrorCodes.InvalidJson, "The frame is not valid JSON.");
            return false;
        }

        switch (type)
        {
            case null:
                error = new(ErrorCodes.InvalidFrame, "Field \"type\" is required.");
                return false;
            case "join":
                command = new JoinCommand(room, name);
                break;
            case "chunk":
                if (text is null || seq is null)
                {
                    error = new(ErrorCodes.InvalidFrame, "A chunk needs \"text\" (the whole draft) and \"seq\".");
                    return false;
                }

                command = new ChunkCommand(text, seq.Value);
                break;
            case "commit":
                command = new CommitCommand(text, id);
                break;
            case "cancel":
                command = CancelCommand.Instance;
                break;
            case "resync":
                command = ResyncCommand.Instance;
                break;
            case "history":
                if (before is null)
                {
                    error = new(ErrorCodes.InvalidFrame, "A history request needs \"before\": the seq of the oldest message shown.");
                    return false;
                }

                command = new HistoryCommand(before.Value, limit);
                break;
            default:
                error = new(ErrorCodes.UnknownType, "Unknown frame type. Known types: join, chunk, commit, cancel, resync, history.");
                return false;
        }

        error = default;
        return true;
    }

    private static bool TryReadWhole(ref Utf8JsonReader reader, string field, out long? value, out ProtocolError error)
    {
        reader.Read();
        value = null;
        error = default;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var whole))
        {
            error = new(ErrorCodes.InvalidFrame, $"Field \"{field}\" must be a whole number.");
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }

            return false;
        }

        value = whole;
        return true;
    }

    private static bool TryReadString(ref Utf8JsonReader reader, string field, out string? value, out ProtocolError error)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                error = default;
                return true;
            case JsonTokenType.Null:
                value = null;
                error = default;
                return true;
            default:
                value = null;
                error = new(ErrorCodes.InvalidFrame, $"Field \"{field}\" must be a string.");
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                return false;
        }
    }
}
