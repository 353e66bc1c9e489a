using System.Diagnostics.Metrics;

namespace OrleansChat.WebFront.Telemetry;

/// <summary>WebFront's OpenTelemetry metrics (meter <c>OrleansChat.WebFront</c>).</summary>
public sealed class ChatMetrics
{
    public const string MeterName = "OrleansChat.WebFront";

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _framesReceived;
    private readonly Counter<long> _framesSent;
    private readonly Counter<long> _eventsRelayed;
    private readonly Counter<long> _framesDropped;
    private readonly Histogram<double> _relayLatency;
    private readonly UpDownCounter<long> _feeds;

    public ChatMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("chat.connections", "{connection}", "Open chat WebSockets.");
        _framesReceived = meter.CreateCounter<long>("chat.frames.received", "{frame}", "Frames received from clients.");
        _framesSent = meter.CreateCounter<long>("chat.frames.sent", "{frame}", "Frames sent to clients.");
        _eventsRelayed = meter.CreateCounter<long>("chat.events.relayed", "{event}", "Room events taken from the stream for a socket.");
        _framesDropped = meter.CreateCounter<long>("chat.frames.dropped", "{frame}", "Frames dropped: rate-limited input or events for a socket that fell behind.");
        _feeds = meter.CreateUpDownCounter<long>("chat.feeds", "{feed}", "Room feeds (Orleans stream subscriptions) this WebFront holds.");
        _relayLatency = meter.CreateHistogram<double>("chat.relay.latency", "ms", "From the room publishing an event to its frame being sent on a socket.");
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void FrameReceived() => _framesReceived.Add(1);

    public void FrameSent() => _framesSent.Add(1);

    public void EventsRelayed(int sockets)
    {
        if (sockets > 0)
        {
            _eventsRelayed.Add(sockets);
        }
    }

    public void FeedOpened() => _feeds.Add(1);

    public void FeedClosed() => _feeds.Add(-1);

    public void RateLimited() => _framesDropped.Add(1, new KeyValuePair<string, object?>("reason", "rate_limited"));

    public void FellBehind(int frames)
    {
        if (frames > 0)
        {
            _framesDropped.Add(frames, new KeyValuePair<string, object?>("reason", "slow_socket"));
        }
    }

    public void Relayed(DateTimeOffset publishedAt)
    {
        if (publishedAt != default)
        {
            _relayLatency.Record(Math.Max(0, (DateTimeOffset.UtcNow - publishedAt).TotalMilliseconds));
        }
    }
}
