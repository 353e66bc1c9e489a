namespace OrleansChat.Grains.Streaming;

/// <summary>
/// One queue of the chat stream provider (<see cref="WaitingQueueAdapterFactory"/>): publishers enqueue, the
/// queue's pulling agent dequeues, waiting for the next batch when the queue is empty instead of asking again and
/// again.
/// </summary>
[Alias("OrleansChat.Grains.Streaming.IWaitingQueueGrain")]
public interface IWaitingQueueGrain : IGrainWithStringKey
{
    /// <summary>Queues a batch; throws when the queue holds <see cref="WaitingQueueGrain.MaxQueued"/> batches.</summary>
    [Alias("Enqueue")]
    Task Enqueue(ChatQueueBatch batch);

    /// <summary>
    /// First forgets the batches up to sequence number <paramref name="takenThrough"/> (the reader has them: it asks
    /// again only once it cached what it got), then returns up to <paramref name="maxCount"/> of the rest, oldest
    /// first, without removing them: an agent that stops right after a read drops what it got, and the queue's next
    /// reader gets it again. On an empty queue it waits up to <paramref name="wait"/> for a batch; a newer dequeue
    /// (the queue's next agent) ends an older one's wait with nothing.
    /// </summary>
    [Alias("Dequeue")]
    Task<List<ChatQueueBatch>> Dequeue(int maxCount, TimeSpan wait, long takenThrough);

    /// <summary>
    /// <see cref="Dequeue"/> by the pulling agent of silo <paramref name="reader"/>. A queue whose reader sits on
    /// another silo for two reads in a row (its queue moved there when the silos rebalanced) moves itself, with what it
    /// holds, to the reader's silo, and ends this read at once so it can: a queue, its agent and the rooms placed
    /// with it (<see cref="Placement.StreamQueuePlacement"/>) then share one silo again.
    /// </summary>
    [Alias("DequeueFor")]
    Task<List<ChatQueueBatch>> DequeueFor(int maxCount, TimeSpan wait, long takenThrough, SiloAddress reader);

    /// <summary>
    /// A read beside the pulling agent, for a node that relays the queue's events itself (a WebFront's
    /// <c>QueueTap</c> feed source): any number of taps read the same batches, each from its own cursor, and nothing
    /// is removed for them (the queue keeps its last <see cref="WaitingQueueGrain.TapRetained"/> batches). Returns
    /// the batches queued after <paramref name="after"/> (a sequence number of activation <paramref name="epoch"/>;
    /// <see cref="Guid.Empty"/> starts a new tap at the queue's end), waiting up to <paramref name="wait"/> for one.
    /// </summary>
    [Alias("Tap")]
    Task<QueueTapRead> Tap(Guid epoch, long after, int maxCount, TimeSpan wait);

    /// <summary>
    /// <see cref="Tap"/> by the tap named <paramref name="tap"/> (one per WebFront), whose cursor the queue then
    /// knows: a batch every known tap has read past is let go at once, so batches die young instead of living on in
    /// the queue for its last <see cref="WaitingQueueGrain.TapRetained"/> (which filled the nodes' older garbage
    /// generations: measured in docs/measurements.md, "Tap cursors"). A tap not heard from for
    /// <see cref="WaitingQueueGrain.TapForgottenAfter"/> past its read's wait is forgotten; if it comes back, it is told
    /// what it missed. While anonymous <see cref="Tap"/> reads go on (a node of an older version in a rolling
    /// upgrade), the queue keeps its last <see cref="WaitingQueueGrain.TapRetained"/> batches as before.
    /// </summary>
    [Alias("TapAs")]
    Task<QueueTapRead> TapAs(Guid tap, Guid epoch, long after, int maxCount, TimeSpan wait);

    /// <summary>How many batches the queue holds for taps, and how many named taps it knows (diagnostics and tests).</summary>
    [Alias("TapState")]
    Task<QueueTapState> TapState();

    /// <summary>Ends any waiting dequeue at once (its agent is shutting down).</summary>
    [Alias("Release")]
    Task Release();

    /// <summary>The silo this queue lives on (rooms are placed there: <see cref="Placement.StreamQueuePlacement"/>).</summary>
    [Alias("Location")]
    Task<SiloAddress> Location();
}
