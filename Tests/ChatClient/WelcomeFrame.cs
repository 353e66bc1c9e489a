using System.Text;
using System.Text.Json;

namespace OrleansChat.Client;

/// <summary>A message of a welcome's history: its client message id and room sequence number.</summary>
public readonly record struct HistoryEntry(string ClientMessageId, long Seq);

/// <summary>
/// What a reconnecting client needs of a <c>welcome</c> (docs/protocol.md): the room sequence it describes, the
/// connection id and WebFront of this socket, and the ids of the messages in its history (a commit whose id is there is
/// confirmed). Read with <see cref="Utf8JsonReader"/>; welcomes are rare next to room events.
/// </summary>
public sealed record WelcomeFrame(long Seq, string ConnectionId, string? Server, IReadOnlyList<HistoryEntry> History)
{
    public static bool TryParse(ReadOnlySpan<byte> utf8, out WelcomeFrame? welcome)
    {
        welcome = null;
        long seq = 0;
        string? connectionId = null, server = null;
        var history = new List<HistoryEntry>();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    seq = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("connectionId"u8))
                {
                    reader.Read();
                    connectionId = reader.GetString();
                }
                else if (reader.ValueTextEquals("server"u8))
                {
                    reader.Read();
                    server = reader.GetString();
                }
                else if (reader.ValueTextEquals("history"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        string? id = null;
                        long messageSeq = 0;
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            if (reader.ValueTextEquals("clientMessageId"u8))
                            {
                                reader.Read();
                                id = reader.GetString();
                            }
                            else if (reader.ValueTextEquals("seq"u8))
                            {
                                reader.Read();
                                messageSeq = reader.GetInt64();
                            }
                            else
                            {
                                reader.Read();
                                reader.Skip();
                            }
                        }

                        if (id is not null)
                        {
                            history.Add(new HistoryEntry(id, messageSeq));
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }

        if (connectionId is null)
        {
            return false;
        }

        welcome = new WelcomeFrame(seq, connectionId, server, history);
        return true;
    }

    /// <summary>Decodes a short UTF-8 value (an id) to a string.</summary>
    public static string Decode(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);
}
