using Microsoft.Extensions.Logging;

namespace OrleansChat.Grains.Logging;

internal static partial class ChatRoomLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Room {RoomId} activated with {MessageCount} messages, sequence starts at {Seq}")]
    public static partial void Activated(ILogger logger, string roomId, int messageCount, long seq);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Room {RoomId}: {ConnectionId} joined as {Name}")]
    public static partial void Joined(ILogger logger, string roomId, string connectionId, string name);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Room {RoomId}: {ConnectionId} left")]
    public static partial void Left(ILogger logger, string roomId, string connectionId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Room {RoomId}: refused {Operation} from {ConnectionId}: {Status}")]
    public static partial void Refused(ILogger logger, string roomId, string operation, string connectionId, ChatStatus status);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Room {RoomId}: appending to history failed; the commit from {ConnectionId} was not confirmed (a retry with the same id stores it once)")]
    public static partial void HistoryWriteFailed(ILogger logger, Exception exception, string roomId, string connectionId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Room {RoomId}: the grain key is not a valid room id; every call is refused")]
    public static partial void InvalidRoomId(ILogger logger, string roomId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Room {RoomId}: the lease of {ConnectionId} expired; removing it")]
    public static partial void LeaseExpired(ILogger logger, string roomId, string connectionId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Room {RoomId}: publishing event {Seq} failed; retrying after a delay")]
    public static partial void PublishRetry(ILogger logger, Exception exception, string roomId, long seq);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Room {RoomId}: the store holds message {StoredSeq}, which this activation never saw (another activation of the room wrote it); reading the room again, numbering above it and resynchronising subscribers (was about to store {Seq})")]
    public static partial void StaleAppend(ILogger logger, string roomId, long seq, long storedSeq);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Room {RoomId}: migrated {MessageCount} messages of the previous storage format into the history log (sequence reserved through {Seq})")]
    public static partial void Migrated(ILogger logger, string roomId, int messageCount, long seq);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Room {RoomId}: renewing leases in a batch failed")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, string roomId);
}
