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

    /// <summary>
    /// A silo hands its publishes to a queue its own agent reads, in memory, instead of calling the stream's queue
    /// grain (<see cref="WaitingQueueAdapterFactory.QueueMessageBatchAsync{T}"/>).
    /// </summary>
    public bool LocalPublish { get; set; } = true;
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
    private readonly Lock _localGate = new();
    private Receiver[] _localReceivers = []; // the queues this silo's pulling agents read (copied on change)

    public WaitingQueueAdapterFactory(
        string name, WaitingQueueOptions options, HashRingStreamQueueMapperOptions queues, IGrainFactory grains, ILoggerFactory loggers)
    {
        Name = name;
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
        services.GetRequiredService<ILoggerFactory>());

    public string Name { get; }

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

    public IQueueAdapterCache GetQueueAdapterCache() => this;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => Task.FromResult(_failures);

    public IQueueCache CreateQueueCache(QueueId queueId) =>
        new SimpleQueueCache(_options.CacheSize, _loggers.CreateLogger($"{typeof(WaitingQueueAdapterFactory).FullName}.{Name}.{queueId}"));

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var receiver = new Receiver(this, queueId, QueueGrain(queueId), _options.Wait, _loggers.CreateLogger<Receiver>());
        if (_options.LocalPublish)
        {
            lock (_localGate)
            {
                _localReceivers = [.. _localReceivers.Where(r => r.QueueId != queueId), receiver];
            }
        }

        return receiver;
    }

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("This stream provider does not take sequence tokens from publishers.", nameof(token));
        }

        var batch = new ChatQueueBatch(streamId, events.Cast<object>().ToArray(), requestContext, null);
        var local = LocalReceiverFor(streamId);
        return local is not null && local.TryHandOver(batch)
            ? Task.CompletedTask
            : QueueGrain(_mapper.GetQueueForStream(streamId)).Enqueue(batch);
    }

    /// <summary>The queues this silo's pulling agents read now (for tests and diagnostics).</summary>
    public IReadOnlyList<QueueId> LocalQueues => [.. _localReceivers.Select(r => r.QueueId)];

    /// <summary>
    /// The local queue a stream's batches go to: of the queues this silo reads, the one with the highest
    /// (stream, queue) hash, so a queue coming or going moves only the streams that were on it, and a stream stays on
    /// one queue (its events in order) while this silo's queues do not change.
    /// </summary>
    private Receiver? LocalReceiverFor(StreamId streamId)
    {
        var receivers = _localReceivers;
        if (receivers.Length == 0)
        {
            return null;
        }

        var streamHash = (uint)streamId.GetHashCode();
        Receiver? best = null;
        var bestWeight = 0UL;
        foreach (var receiver in receivers)
        {
            var weight = Mix(((ulong)streamHash << 32) | receiver.QueueHash);
            if (best is null || weight > bestWeight)
            {
                best = receiver;
                bestWeight = weight;
            }
        }

        return best;
    }

    private static ulong Mix(ulong x) // splitmix64's finaliser: every input bit moves every output bit
    {
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9UL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }

    private void Forget(Receiver receiver)
    {
        lock (_localGate)
        {
            _localReceivers = [.. _localReceivers.Where(r => !ReferenceEquals(r, receiver))];
        }
    }

    private IWaitingQueueGrain QueueGrain(QueueId queueId) => _grains.GetGrain<IWaitingQueueGrain>($"{Name}/{queueId}");

    /// <summary>
    /// One queue's reader, on the silo whose pulling agent owns the queue. It reads two sources: batches this silo's
    /// publishers hand over in memory (<see cref="TryHandOver"/>: no grain call, no message), and the queue grain, for
    /// batches published elsewhere (a silo that reads no queue) or handed back by the queue's previous reader. A grain
    /// read waits for a batch; it stays open across reads while local batches keep coming.
    /// </summary>
    private sealed class Receiver(
        WaitingQueueAdapterFactory owner, QueueId queueId, IWaitingQueueGrain queue, TimeSpan wait, ILogger logger) : IQueueAdapterReceiver
    {
        private readonly Lock _gate = new();
        private readonly List<ChatQueueBatch> _local = [];
        private readonly Dictionary<StreamId, int> _localPerStream = [];
        private int _localRead; // the first _localRead of _local went out with the last read: the agent has them once it reads again
        private TaskCompletionSource? _handedOver;
        private Task<List<ChatQueueBatch>>? _grainRead;
        private long _grainTakenThrough;
        private long _nextSequenceNumber = DateTime.UtcNow.Ticks; // one growing order over both sources, for the agent's cache
        private bool _shutDown;

        public QueueId QueueId { get; } = queueId;

        public uint QueueHash { get; } = queueId.GetUniformHashCode();

        public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

        /// <summary>Queues a batch published on this silo; false once the reader stopped (publish to the grain then).</summary>
        public bool TryHandOver(ChatQueueBatch batch)
        {
            TaskCompletionSource? handedOver;
            lock (_gate)
            {
                if (_shutDown)
                {
                    return false;
                }

                // The queue grain's bounds, so a flooded room fails the same way whichever way it publishes.
                if (_local.Count >= WaitingQueueGrain.MaxQueued)
                {
                    throw new InvalidOperationException(
                        $"Stream queue {owner.Name}/{QueueId} is full ({WaitingQueueGrain.MaxQueued} batches): its pulling agent is not reading.");
                }

                var queued = _localPerStream.GetValueOrDefault(batch.StreamId);
                if (queued >= WaitingQueueGrain.MaxQueuedPerStream)
                {
                    throw new InvalidOperationException(
                        $"Stream {batch.StreamId} holds its share of queue {owner.Name}/{QueueId} ({WaitingQueueGrain.MaxQueuedPerStream} batches): it publishes faster than it is delivered.");
                }

                _localPerStream[batch.StreamId] = queued + 1;
                _local.Add(batch);
                handedOver = _handedOver;
                _handedOver = null;
            }

            handedOver?.TrySetResult();
            return true;
        }

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

        public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
        {
            var max = maxCount < 0 ? int.MaxValue : maxCount;
            lock (_gate)
            {
                // The agent reads again only after it cached the last read: what that read had can go.
                ForgetRead();
            }

            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // A grain read that came back meanwhile goes first, so batches from elsewhere are not held back by a
                // steady stream of local ones.
                if (_grainRead is { IsCompleted: true } done)
                {
                    _grainRead = null;
                    var fromGrain = await done;
                    if (fromGrain.Count > 0)
                    {
                        _grainTakenThrough = fromGrain[^1].Token!.SequenceNumber;
                        lock (_gate)
                        {
                            return Stamp(fromGrain);
                        }
                    }
                }

                TaskCompletionSource handedOver;
                lock (_gate)
                {
                    if (_shutDown)
                    {
                        return [];
                    }

                    if (_local.Count > 0)
                    {
                        _localRead = Math.Min(max, _local.Count);
                        return Stamp(_local.Take(_localRead));
                    }

                    handedOver = _handedOver ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                // Nothing local: wait for a grain batch or a local hand-over, whichever comes first. A grain read that
                // is still open when a local batch wins stays open for the next read.
                var grainRead = _grainRead ??= queue.Dequeue(maxCount, wait, _grainTakenThrough);
                await using (cancellationToken.Register(static h => ((TaskCompletionSource)h!).TrySetResult(), handedOver))
                {
                    await Task.WhenAny(grainRead, handedOver.Task);
                }

                if (grainRead.IsCompletedSuccessfully && grainRead.Result.Count == 0 && !handedOver.Task.IsCompleted)
                {
                    _grainRead = null;
                    return []; // the wait ended with nothing anywhere: the agent reads again after its period
                }

                // Round again: a grain read that ended (with batches, or failed) is taken at the top, else the local batches.
            }
        }

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

        public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task Shutdown(TimeSpan timeout)
        {
            ChatQueueBatch[] left;
            TaskCompletionSource? handedOver;
            lock (_gate)
            {
                _shutDown = true;
                left = [.. _local]; // what the last read had too: the agent may drop a read it got while stopping
                _local.Clear();
                _localPerStream.Clear();
                _localRead = 0;
                handedOver = _handedOver;
                _handedOver = null;
            }

            owner.Forget(this);
            handedOver?.TrySetResult();

            // The queue's next reader (on whichever silo) reads the grain: hand over what this one did not deliver.
            // At least once: the chat's consumers drop what they already have by the room sequence number.
            try
            {
                foreach (var batch in left)
                {
                    await queue.Enqueue(batch).WaitAsync(timeout);
                }
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Stream queue {Queue}: {Count} batches published on this silo could not be handed to the queue grain while its reader stopped", $"{owner.Name}/{QueueId}", left.Length);
            }

            await queue.Release();
            _grainRead?.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        private void ForgetRead()
        {
            foreach (var batch in _local.Take(_localRead))
            {
                var left = _localPerStream[batch.StreamId] - 1;
                if (left == 0)
                {
                    _localPerStream.Remove(batch.StreamId);
                }
                else
                {
                    _localPerStream[batch.StreamId] = left;
                }
            }

            _local.RemoveRange(0, _localRead);
            _localRead = 0;
        }

        private List<IBatchContainer> Stamp(IEnumerable<ChatQueueBatch> batches)
        {
            var stamped = new List<IBatchContainer>();
            foreach (var batch in batches)
            {
                stamped.Add(batch.Queued(_nextSequenceNumber++));
            }

            return stamped;
        }
    }
}
