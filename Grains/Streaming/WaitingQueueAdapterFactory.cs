using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansChat.Grains.Streaming;

/// <summary>Settings of the chat stream provider.</summary>
public sealed class WaitingQueueOptions
{
    /// <summary>How long an agent's dequeue waits on an empty queue before it returns (and is made again).</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Batches a pulling agent keeps cached for its queue's subscribers. A batch leaves the cache once every
    /// subscriber has it, so a subscriber that stops acknowledging (a WebFront that crashed, until Orleans drops its
    /// subscription) holds the batches after it; the agent reads no more once the cache is full, for every stream of
    /// the queue. Large enough to ride that out at the benchmark's rates (tens of seconds at S5's peak).
    /// </summary>
    public int CacheSize { get; set; } = 32_768;
}

/// <summary>
/// A persistent-stream provider over <see cref="WaitingQueueGrain"/>s: the same pulling agents, queue balancing and
/// pub-sub as Orleans' memory streams, but a read waits for the next batch instead of polling, so nothing runs while
/// nothing is published. Register it on silos and clients with <see cref="Create"/>.
/// </summary>
public sealed class WaitingQueueAdapterFactory : IQueueAdapterFactory, IQueueAdapter, IQueueAdapterCache
{
    private readonly IGrainFactory _grains;
    private readonly ILoggerFactory _loggers;
    private readonly WaitingQueueOptions _options;
    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly IStreamFailureHandler _failures = new NoOpStreamDeliveryFailureHandler();
    private readonly SiloAddress? _silo;
    /// <summary>One reference per queue (a handful): no key formatting or grain id parsing per published event.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<QueueId, IWaitingQueueGrain> _queueGrains = new();

    /// <param name="silo">The silo whose pulling agents read through this factory (none on a client).</param>
    public WaitingQueueAdapterFactory(
        string name, WaitingQueueOptions options, HashRingStreamQueueMapperOptions queues, IGrainFactory grains, ILoggerFactory loggers,
        SiloAddress? silo = null)
    {
        Name = name;
        _silo = silo;
        _options = options;
        _grains = grains;
        _loggers = loggers;
        _mapper = new HashRingBasedStreamQueueMapper(queues, name);
    }

    /// <summary>The factory for the provider called <paramref name="name"/> (its options are named after it).</summary>
    public static WaitingQueueAdapterFactory Create(IServiceProvider services, string name) => new(
        name,
        services.GetRequiredService<IOptionsMonitor<WaitingQueueOptions>>().Get(name),
        services.GetRequiredService<IOptionsMonitor<HashRingStreamQueueMapperOptions>>().Get(name),
        services.GetRequiredService<IGrainFactory>(),
        services.GetRequiredService<ILoggerFactory>(),
        services.GetService<ILocalSiloDetails>()?.SiloAddress);

    public string Name { get; }

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

    public IQueueAdapterCache GetQueueAdapterCache() => this;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => Task.FromResult(_failures);

    public IQueueCache CreateQueueCache(QueueId queueId) =>
        new SimpleQueueCache(_options.CacheSize, _loggers.CreateLogger($"{typeof(WaitingQueueAdapterFactory).FullName}.{Name}.{queueId}"));

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => new Receiver(
        QueueGrain(queueId),
        _options.Wait,
        _silo ?? throw new InvalidOperationException("Stream queues are read by pulling agents, which run on silos only."));

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("This stream provider does not take sequence tokens from publishers.", nameof(token));
        }

        var batch = new ChatQueueBatch(streamId, events.Cast<object>().ToArray(), requestContext, null);
        return QueueGrain(_mapper.GetQueueForStream(streamId)).Enqueue(batch);
    }

    /// <summary>The key of the queue grain that holds queue <paramref name="queueId"/> of provider <paramref name="provider"/>.</summary>
    public static string QueueGrainKey(string provider, QueueId queueId) => $"{provider}/{queueId}";

    private IWaitingQueueGrain QueueGrain(QueueId queueId) =>
        _queueGrains.GetOrAdd(queueId, static (id, self) => self._grains.GetGrain<IWaitingQueueGrain>(QueueGrainKey(self.Name, id)), this);

    /// <summary>
    /// One queue's reader: each read is one dequeue that waits for a batch when the queue is empty, naming the
    /// reader's silo so the queue can move next to it.
    /// </summary>
    private sealed class Receiver(IWaitingQueueGrain queue, TimeSpan wait, SiloAddress silo) : IQueueAdapterReceiver
    {
        private volatile bool _shutDown;
        private long _takenThrough;

        public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

        public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
        {
            if (_shutDown)
            {
                return [];
            }

            // The agent reads again only after it cached the last read: everything up to there can go.
            var batches = await queue.DequeueFor(maxCount, wait, _takenThrough, silo);
            if (batches.Count == 0)
            {
                return [];
            }

            _takenThrough = batches[^1].Token!.SequenceNumber;
            return batches.ConvertAll(static b => (IBatchContainer)b);
        }

        public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

        public Task Shutdown(TimeSpan timeout)
        {
            _shutDown = true;
            return queue.Release();
        }
    }
}
