using Orleans.Runtime;

namespace OrleansChat;

/// <summary>Names of the stream and storage providers and the stream namespace, in one place.</summary>
public static class ChatStreams
{
    /// <summary>The stream provider that carries room events (memory streams in every mode).</summary>
    public const string ProviderName = "chat";

    /// <summary>The stream namespace of room streams; the stream key is the room id.</summary>
    public const string RoomNamespace = "chat-room";

    /// <summary>The grain storage that holds each room's committed history.</summary>
    public const string HistoryStorageName = "chat-history";

    /// <summary>The grain storage Orleans uses for stream pub-sub state (the name Orleans looks up).</summary>
    public const string PubSubStorageName = "PubSubStore";

    /// <summary>The stream id of a room.</summary>
    public static StreamId ForRoom(string roomId) => StreamId.Create(RoomNamespace, roomId);
}
