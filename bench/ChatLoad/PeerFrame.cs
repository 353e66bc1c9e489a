using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// A frame of the raw WebSocket reference peers (/work/shared/peers: aspnet-ws, node-ws), read straight from the
/// bytes: <c>{type:"joined",...}</c>, <c>{type:"chunk",from,text,seq}</c>, <c>{type:"commit",from,text,id}</c>,
/// <c>{type:"error",message}</c>. Field order is not relied on.
/// </summary>
public ref struct PeerFrame
{
    public PeerFrameKind Kind;

    /// <summary>chunk, commit: the sender's name.</summary>
    public ReadOnlySpan<byte> From;

    /// <summary>chunk: the sender's sequence number.</summary>
    public long Seq;

    /// <summary>chunk, commit: the text as it stands in the JSON (still escaped); error: the message.</summary>
    public ReadOnlySpan<byte> Text;

    public static bool TryParse(ReadOnlySpan<byte> utf8, out PeerFrame frame)
    {
        frame = default;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    frame.Kind = reader.ValueTextEquals("chunk"u8) ? PeerFrameKind.Chunk
                        : reader.ValueTextEquals("commit"u8) ? PeerFrameKind.Commit
                        : reader.ValueTextEquals("joined"u8) ? PeerFrameKind.Joined
                        : reader.ValueTextEquals("error"u8) ? PeerFrameKind.Error
                        : PeerFrameKind.Other;
                }
                else if (reader.ValueTextEquals("from"u8))
                {
                    reader.Read();
                    frame.From = reader.ValueSpan;
                }
                else if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    frame.Seq = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    frame.Text = reader.ValueSpan;
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
