using Microsoft.Extensions.Logging;

namespace OrleansChat.Grains.Logging;

internal static partial class PlacementLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Could not locate stream queue {QueueId} to place a room with it; placing the room on a random silo")]
    public static partial void QueueLocationFailed(ILogger logger, string queueId, Exception exception);
}
