using System.ComponentModel.DataAnnotations;

namespace OrleansChat.WebFront.Rooms;

/// <summary>How room events reach this WebFront's sockets, bound from <c>Chat:Relay</c>.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Chat:Relay";

    /// <summary>
    /// <see cref="FeedScope.Server"/>: one stream subscription per room on this WebFront, shared by its sockets.
    /// <see cref="FeedScope.Connection"/>: one per socket.
    /// </summary>
    [EnumDataType(typeof(FeedScope))]
    public FeedScope FeedScope { get; set; } = FeedScope.Server;

    /// <summary>
    /// <see cref="FeedSource.QueueTap"/>: this WebFront reads the stream queues itself and hands events to its feeds.
    /// <see cref="FeedSource.Subscription"/>: each feed is an Orleans stream subscription. Unset: queue taps with
    /// <see cref="FeedScope.Server"/> on the waiting stream queues, subscriptions otherwise (the only way to give each
    /// socket its own feed, and to read Orleans' polled memory streams).
    /// </summary>
    [EnumDataType(typeof(FeedSource))]
    public FeedSource? Source { get; set; }

    /// <summary>Most batches one read of a stream queue returns (<see cref="FeedSource.QueueTap"/>).</summary>
    [Range(1, 65_536)]
    public int TapReadBatches { get; set; } = 1_024;

    /// <summary>
    /// How long a shared room feed outlives its last local member, so a reconnect or a page reload does not
    /// unsubscribe and subscribe again (each rewrites the room's pub-sub state). Not used with one feed per socket.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan FeedGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between attempts to fetch a welcome the room did not give (backoff doubles up to it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MaxWelcomeRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}
