using System.Text.Json;

namespace OrleansChat.Client;

public enum FrameKind
{
    Other,
    Welcome,
    Chunk,
    Commit,
    Error,
    GoingAway,

    /// <summary>The answer to a retried commit the room already stored (only to its sender; not a room event).</summary>
    Committed,

    /// <summary>Not a JSON object the client can read (never sent by a correct server).</summary>
    Unparseable,
}

/// <summary>
/// The few fields of a server frame the load generator needs, read with <see cref="Utf8JsonReader"/> straight from the
/// received bytes (no DOM, no strings for the hot path). Server frames put <c>type</c> first (docs/protocol.md), but
/// the reader does not rely on field order.
/// </summary>
public ref struct ServerFrame
{
    public FrameKind Kind;

    /// <summary>The room sequence number (room events and welcome).</summary>
    public long Seq;

    /// <summary>chunk: the sender; welcome: this connection; commit: the message's sender.</summary>
    public ReadOnlySpan<byte> ConnectionId;

    /// <summary>chunk: the sender's sequence number.</summary>
    public long SenderSeq;

    /// <summary>commit and committed: the client message id; error: the code.</summary>
    public ReadOnlySpan<byte> Id;

    /// <summary>error: the client message id it concerns (commits only), else empty.</summary>
    public ReadOnlySpan<byte> Ref;

    /// <summary>commit and committed: the message's room sequence number.</summary>
    public long MessageSeq;

    public static bool TryParse(ReadOnlySpan<byte> utf8, out ServerFrame frame)
    {
        frame = default;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    frame.Kind = reader.ValueTextEquals("chunk"u8) ? FrameKind.Chunk
                        : reader.ValueTextEquals("commit"u8) ? FrameKind.Commit
                        : reader.ValueTextEquals("welcome"u8) ? FrameKind.Welcome
                        : reader.ValueTextEquals("error"u8) ? FrameKind.Error
                        : reader.ValueTextEquals("goingAway"u8) ? FrameKind.GoingAway
                        : reader.ValueTextEquals("committed"u8) ? FrameKind.Committed
                        : FrameKind.Other;
                }
                else if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    frame.Seq = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("connectionId"u8))
                {
                    reader.Read();
                    frame.ConnectionId = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("senderSeq"u8))
                {
                    reader.Read();
                    frame.SenderSeq = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    frame.Id = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("ref"u8))
                {
                    reader.Read();
                    frame.Ref = reader.TokenType == JsonTokenType.String ? reader.ValueSpan : [];
                }
                else if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    // commit, committed: { "message": { "seq": ..., "clientMessageId": ..., "connectionId": ..., ... } }
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("clientMessageId"u8))
                        {
                            reader.Read();
                            frame.Id = reader.ValueSpan;
                        }
                        else if (reader.ValueTextEquals("connectionId"u8))
                        {
                            reader.Read();
                            frame.ConnectionId = reader.ValueSpan;
                        }
                        else if (reader.ValueTextEquals("seq"u8))
                        {
                            reader.Read();
                            frame.MessageSeq = reader.GetInt64();
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
