using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansChat.Grains.Streaming;

/// <summary>
/// One published batch of stream events as it waits in a <see cref="WaitingQueueGrain"/> and sits in the pulling
/// agent's cache. Never changed after creation: the queue stamps its sequence token by making a new one.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("OrleansChat.Grains.Streaming.ChatQueueBatch")]
public sealed class ChatQueueBatch(
    StreamId streamId,
    IReadOnlyList<object> events,
    Dictionary<string, object>? requestContext,
    EventSequenceTokenV2? token) : IBatchContainer
{
    [Id(0)]
    public StreamId StreamId { get; } = streamId;

    [Id(1)]
    public IReadOnlyList<object> Events { get; } = events;

    [Id(2)]
    public Dictionary<string, object>? RequestContextData { get; } = requestContext;

    [Id(3)]
    public EventSequenceTokenV2? Token { get; } = token;

    /// <summary>The queue's position of this batch; a batch not yet queued has none.</summary>
    public StreamSequenceToken SequenceToken =>
        Token ?? throw new InvalidOperationException("A batch has a sequence token only once it is queued.");

    /// <summary>The same batch at position <paramref name="sequenceNumber"/> of its queue.</summary>
    public ChatQueueBatch Queued(long sequenceNumber) =>
        new(StreamId, Events, RequestContextData, new EventSequenceTokenV2(sequenceNumber));

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        var token = (EventSequenceTokenV2)SequenceToken;
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] is T item)
            {
                yield return Tuple.Create(item, (StreamSequenceToken)token.CreateSequenceTokenForEvent(i));
            }
        }
    }

    public bool ImportRequestContext()
    {
        if (RequestContextData is null)
        {
            return false;
        }

        foreach (var (key, value) in RequestContextData)
        {
            RequestContext.Set(key, value);
        }

        return true;
    }
}
