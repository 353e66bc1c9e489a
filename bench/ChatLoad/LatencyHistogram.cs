using HdrHistogram;

namespace OrleansChat.Bench;

/// <summary>
/// Latencies in microseconds, recorded concurrently into an HdrHistogram (3 significant digits, 1 µs to 1 hour), so a
/// soak's millions of deliveries cost a fixed few hundred KB and no sort at the end. Writers and readers share one
/// lock: HdrHistogram's concurrent histogram takes concurrent writes but its enumeration throws when a write lands
/// mid-read ("Source has been modified during enumeration", seen when a fault run's clients still received while a
/// step was evaluated), so a reader takes a copy under the lock and computes on that.
/// </summary>
public sealed class LatencyHistogram
{
    public const long HighestMicros = 3_600_000_000;

    private readonly Lock _gate = new();
    private readonly LongHistogram _histogram = new(1, HighestMicros, 3);

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _histogram.TotalCount;
            }
        }
    }

    public void Record(long micros)
    {
        var value = Math.Clamp(micros, 1, HighestMicros);
        lock (_gate)
        {
            _histogram.RecordValue(value);
        }
    }

    public Percentiles Percentiles()
    {
        HistogramBase copy;
        lock (_gate)
        {
            copy = _histogram.Copy();
        }

        return Bench.Percentiles.From(copy);
    }
}

/// <summary>
/// A histogram that is read and reset at intervals while writers go on (HdrHistogram's <see cref="Recorder"/>): the
/// timeline's per-second latencies.
/// </summary>
public sealed class IntervalLatency
{
    private readonly Recorder _recorder = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(LatencyHistogram.HighestMicros).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private HistogramBase? _spare;

    public void Record(long micros) => _recorder.RecordValue(Math.Clamp(micros, 1, LatencyHistogram.HighestMicros));

    /// <summary>What was recorded since the last call (the returned histogram is valid until the next call).</summary>
    public HistogramBase TakeInterval()
    {
        var interval = _spare is null ? _recorder.GetIntervalHistogram() : _recorder.GetIntervalHistogram(_spare);
        _spare = interval;
        return interval;
    }
}
