using System.Threading.Channels;
using Orleans.Streams;
using OrleansChat.Events;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>
/// A subscription to one room's stream, made from the cluster client, that collects every event into a channel.
/// Tests await the events they expect (with a timeout) instead of sleeping.
/// </summary>
public sealed class RoomEventProbe : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<ChatEvent> _events = Channel.CreateUnbounded<ChatEvent>();
    private readonly List<ChatEvent> _received = [];
    private readonly ChannelObserver _observer;
    private StreamSubscriptionHandle<ChatEvent>? _subscription;

    private RoomEventProbe(string roomId)
    {
        RoomId = roomId;
        _observer = new ChannelObserver(_events.Writer);
    }

    public string RoomId { get; }

    /// <summary>Every event taken so far with <see cref="NextAsync"/>, in order.</summary>
    public IReadOnlyList<ChatEvent> Received => _received;

    public static async Task<RoomEventProbe> SubscribeAsync(IClusterClient client, string roomId)
    {
        var probe = new RoomEventProbe(roomId);
        var stream = client.GetStreamProvider(ChatStreams.ProviderName).GetStream<ChatEvent>(ChatStreams.ForRoom(roomId));
        probe._subscription = await stream.SubscribeAsync(probe._observer);
        return probe;
    }

    /// <summary>The next event of the room, or a test failure when none arrives in time.</summary>
    public async Task<ChatEvent> NextAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? DefaultTimeout;
        using var cancellation = new CancellationTokenSource(wait);
        try
        {
            var chatEvent = await _events.Reader.ReadAsync(cancellation.Token);
            _received.Add(chatEvent);
            return chatEvent;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            var seen = _received.Count == 0 ? "none" : string.Join(", ", _received);
            throw new TimeoutException($"No event arrived on room '{RoomId}' within {wait.TotalSeconds} s. Events so far: {seen}");
        }
    }

    /// <summary>The next event of the room, which must be a <typeparamref name="TEvent"/>.</summary>
    public async Task<TEvent> NextAsync<TEvent>(TimeSpan? timeout = null)
        where TEvent : ChatEvent
    {
        var chatEvent = await NextAsync(timeout);
        return Assert.IsType<TEvent>(chatEvent);
    }

    /// <summary>The next <paramref name="count"/> events of the room.</summary>
    public async Task<IReadOnlyList<ChatEvent>> NextAsync(int count, TimeSpan? timeout = null)
    {
        var events = new List<ChatEvent>(count);
        for (var i = 0; i < count; i++)
        {
            events.Add(await NextAsync(timeout));
        }

        return events;
    }

    /// <summary>Events that have arrived but were not taken yet (does not wait).</summary>
    public IReadOnlyList<ChatEvent> Pending()
    {
        var pending = new List<ChatEvent>();
        while (_events.Reader.TryRead(out var chatEvent))
        {
            _received.Add(chatEvent);
            pending.Add(chatEvent);
        }

        return pending;
    }

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
            _subscription = null;
        }

        _events.Writer.TryComplete();
    }

    private sealed class ChannelObserver(ChannelWriter<ChatEvent> writer) : IAsyncObserver<ChatEvent>
    {
        public Task OnNextAsync(ChatEvent item, StreamSequenceToken? token = null)
        {
            writer.TryWrite(item);
            return Task.CompletedTask;
        }

        public Task OnCompletedAsync()
        {
            writer.TryComplete();
            return Task.CompletedTask;
        }

        public Task OnErrorAsync(Exception ex)
        {
            writer.TryComplete(ex);
            return Task.CompletedTask;
        }
    }
}
