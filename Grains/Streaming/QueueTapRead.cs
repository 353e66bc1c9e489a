namespace OrleansChat.Grains.Streaming;

/// <summary>
/// What one <see cref="IWaitingQueueGrain.Tap"/> returns: the batches queued after the tap's cursor, oldest first.
/// </summary>
/// <param name="Epoch">The queue activation that answered; the tap names it in its next read.</param>
/// <param name="Through">The tap's next cursor: the sequence number of the last batch returned, or of the last one it
/// need not see.</param>
/// <param name="Batches">The batches after the cursor (at most the count asked for).</param>
/// <param name="Missed">Batches may be missing before these: the tap named another activation of the queue (the
/// queue was lost with its silo, or this is its first read of a new one), or the queue no longer holds everything after
/// the cursor (the tap fell too far behind). The receiver checks the rooms of this queue for gaps.</param>
/// <param name="Moving">The queue is moving to another silo: read again shortly.</param>
[GenerateSerializer, Immutable]
[Alias("OrleansChat.Grains.Streaming.QueueTapRead")]
public sealed record QueueTapRead(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Through,
    [property: Id(2)] List<ChatQueueBatch> Batches,
    [property: Id(3)] bool Missed,
    [property: Id(4)] bool Moving);

/// <summary>What a queue holds for its taps (<see cref="IWaitingQueueGrain.TapState"/>).</summary>
/// <param name="Retained">Batches kept for taps.</param>
/// <param name="NamedTaps">Named taps (<see cref="IWaitingQueueGrain.TapAs"/>) the queue knows the cursor of.</param>
/// <param name="AnonymousTaps">Whether anonymous reads (<see cref="IWaitingQueueGrain.Tap"/>) came lately: then it keeps
/// its last <see cref="WaitingQueueGrain.TapRetained"/> batches.</param>
[GenerateSerializer, Immutable]
[Alias("OrleansChat.Grains.Streaming.QueueTapState")]
public sealed record QueueTapState(
    [property: Id(0)] int Retained,
    [property: Id(1)] int NamedTaps,
    [property: Id(2)] bool AnonymousTaps);
