using System.Net.WebSockets;

namespace OrleansChat.WebFront.Logging;

internal static partial class WebFrontLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened")]
    public static partial void Opened(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    public static partial void Closed(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Connection {ConnectionId} joined room {RoomId} as {Name}")]
    public static partial void Joined(ILogger logger, string connectionId, string roomId, string name);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Connection {ConnectionId} closed by the server: {CloseStatus} {Reason}")]
    public static partial void ClosingForViolation(ILogger logger, string connectionId, WebSocketCloseStatus closeStatus, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: {Operation} in room {RoomId} failed")]
    public static partial void BackendCallFailed(ILogger logger, Exception exception, string connectionId, string operation, string? roomId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Connection {ConnectionId}: cleaning up room {RoomId} failed")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string connectionId, string? roomId);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Connection {ConnectionId} fell behind; dropping queued frames and resending a snapshot")]
    public static partial void FellBehind(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: socket failed")]
    public static partial void SocketFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Room {RoomId}: the room stream reported an error; recovering the feed")]
    public static partial void StreamError(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Connection {ConnectionId} is no longer known to room {RoomId}; rejoining")]
    public static partial void Rejoining(ILogger logger, string connectionId, string roomId);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Refused {Count} WebSocket upgrade(s) for {Reason} (for example: {Sample}); logged at most once per {Interval} per reason")]
    public static partial void UpgradesRefused(ILogger logger, int count, Sockets.RefusalReason reason, string sample, TimeSpan interval);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Could not reach the Orleans cluster yet; retrying")]
    public static partial void ClusterConnectRetry(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information, Message = "Shutting down: telling {OpenConnections} connections to reconnect elsewhere")]
    public static partial void Draining(ILogger logger, int openConnections);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Shutdown timed out with {OpenConnections} connections still open")]
    public static partial void DrainTimedOut(ILogger logger, int openConnections);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Renewing presence leases in a batch of {Rooms} rooms (from room {FirstRoomId}) failed (retrying in this round: {Retrying})")]
    public static partial void LeaseRenewalFailed(ILogger logger, Exception exception, int rooms, string firstRoomId, bool retrying);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Room {RoomId}: events were lost on the way to this WebFront; subscribing again and resynchronising {Members} sockets")]
    public static partial void FeedRecovering(ILogger logger, string roomId, int members);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Warning, Message = "Room {RoomId}: subscribing again failed; the next lease renewal tries again")]
    public static partial void FeedRecoveryFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Warning, Message = "Room {RoomId}: subscribing to the room stream failed (attempt {Attempt}); retrying")]
    public static partial void SubscribeRetry(ILogger logger, Exception exception, string roomId, int attempt);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Warning, Message = "Room {RoomId}: unsubscribing from the room stream failed")]
    public static partial void UnsubscribeFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Room {RoomId}: event {Seq} follows {PrevSeq}, which {Sockets} sockets were never given (lost on the way); resynchronising them")]
    public static partial void EventsMissed(ILogger logger, string roomId, long prevSeq, long seq, int sockets);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Stream queue {Queue}: reading it failed ({Failures} in a row); reading again in {Delay}")]
    public static partial void TapReadFailed(ILogger logger, Exception exception, string queue, int failures, TimeSpan delay);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "Stream queue {Queue}: events may have been missed ({Reason}); resynchronising the {Feeds} room feeds it carries")]
    public static partial void TapMissed(ILogger logger, string queue, string reason, int feeds);
}
