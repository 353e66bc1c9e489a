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
    public readonly List<int> LatencyUs = [];
    public readonly List<int> CrossLatencyUs = [];
    public readonly List<int> CommitLatencyUs = [];
}

/// <summary>What a receiver has seen from one sender of its room.</summary>
public sealed class SenderTrack
{
    public long MaxSeq;
    public readonly BitSet Seen = new();
    public readonly BitSet Commits = new();
}
