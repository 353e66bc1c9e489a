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
        command = null;
        string? type = null, room = null, name = null, text = null, id = null;
        long? seq = null;
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
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        seq = null;
                    }
                    else if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
                    {
                        error = new(ErrorCodes.InvalidFrame, "Field \"seq\" must be a whole number.");
                        return false;
                    }
                    else
                    {
                        seq = value;
                    }
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
            default:
                error = new(ErrorCodes.UnknownType, "Unknown frame type. Known types: join, chunk, commit, cancel, resync.");
                return false;
        }

        error = default;
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
