using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Rooms;

/// <summary>What every <see cref="RoomSession"/> of this WebFront shares: the feeds, the new-room cap and the settings.</summary>
internal sealed record RoomServices(
    RoomFeeds Feeds,
    NewRoomLimiter NewRooms,
    ChatSocketOptions Options,
    ChatLimits Limits,
    RelayOptions Relay,
    string ServerId);
