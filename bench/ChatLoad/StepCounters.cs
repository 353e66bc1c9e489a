namespace OrleansChat.Bench;

/// <summary>What one receiver counted for one step (chunks and commits attributed to the step they were sent in).</summary>
public sealed class StepCounters
{
    public long Delivered;
    public long Duplicates;
    public long OutOfOrder;
    public long WindowDelivered;
    public long CommitsDelivered;
    public long CommitDuplicates;
}

/// <summary>The latencies of one step (or S6 phase), every receiver recording into the same histograms.</summary>
public sealed class StepHistograms
{
    public LatencyHistogram Latency { get; } = new();

    public LatencyHistogram CrossWebFront { get; } = new();

    public LatencyHistogram Commit { get; } = new();
}

/// <summary>What a receiver has seen from one sender of its room.</summary>
public sealed class SenderTrack
{
    public long MaxSeq;
    public readonly BitSet Seen = new();
    /// <summary>Commit numbers seen, with the room seq they were stored at (a second seq is a duplicate).</summary>
    public readonly Dictionary<int, long> Commits = [];

    /// <summary>Commit numbers whose event arrived.</summary>
    public readonly BitSet CommitEvents = new();
}
