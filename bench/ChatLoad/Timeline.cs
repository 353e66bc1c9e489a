using System.Diagnostics;
using HdrHistogram;
using System.Text.Json.Serialization;

namespace OrleansChat.Bench;

/// <summary>One second of a run: chunk deliveries, their latency (ms; null when none arrived) and client-visible errors.</summary>
public sealed record TimelineSecond(double T, long Deliveries, double? P50Ms, double? P99Ms, double? MaxMs, long Errors);

/// <summary>A fault injected at <see cref="At"/> seconds into the run; <see cref="RecoveredAt"/> when every affected client was live again.</summary>
public sealed record TimelineFault(string Name, double At, double? RecoveredAt);

/// <summary>One resource sample of one server process (redis: no managed heap, threads or sockets).</summary>
public sealed record TimelineMemory(double T, string Process, double RssMb, double? HeapMb, int? Threads, int? Sockets);

/// <summary>What bench/Charts draws (bench/README.md "Charts"): per second, faults, resource samples.</summary>
public sealed record Timeline(
    string Title,
    string Scenario,
    IReadOnlyList<TimelineSecond> Seconds,
    IReadOnlyList<TimelineFault> Faults,
    IReadOnlyList<TimelineMemory> Memory);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Timeline))]
public sealed partial class TimelineJsonContext : JsonSerializerContext;

/// <summary>
/// Records a run second by second while it goes: every chunk delivery's latency goes into an interval histogram that a
/// once-a-second tick reads and resets (one <see cref="TimelineSecond"/> per tick) and into the current minute's
/// histogram (p99 per minute for the soak); errors are counted the same way.
/// </summary>
public sealed class TimelineRecorder : IAsyncDisposable
{
    private readonly IntervalLatency _second = new();
    private readonly List<TimelineSecond> _seconds = [];
    private readonly List<Percentiles> _minutes = [];
    private readonly List<TimelineFault> _faults = [];
    private readonly List<TimelineMemory> _memory = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Task _ticking;
    private HdrHistogram.LongHistogram _minute = NewMinute();
    private long _deliveries;
    private long _errors;

    public TimelineRecorder()
    {
        _ticking = Task.Run(TickAsync);
    }

    /// <summary>Seconds since the recorder started (the timeline's t).</summary>
    public double Now => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    public double SecondsAt(long timestamp) => (double)(timestamp - _start) / Stopwatch.Frequency;

    public void Delivered(long micros)
    {
        _second.Record(micros);
        Interlocked.Increment(ref _deliveries);
    }

    public void Error() => Interlocked.Increment(ref _errors);

    public void Fault(TimelineFault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }
    }

    public void Sample(TimelineMemory sample)
    {
        lock (_memory)
        {
            _memory.Add(sample);
        }
    }

    /// <summary>p99 (and the rest) of each whole minute so far.</summary>
    public IReadOnlyList<Percentiles> Minutes
    {
        get
        {
            lock (_seconds)
            {
                return [.. _minutes];
            }
        }
    }

    public IReadOnlyList<TimelineSecond> Seconds
    {
        get
        {
            lock (_seconds)
            {
                return [.. _seconds];
            }
        }
    }

    public IReadOnlyList<TimelineMemory> Memory
    {
        get
        {
            lock (_memory)
            {
                return [.. _memory];
            }
        }
    }

    /// <summary>The timeline so far, up to <paramref name="until"/> seconds (e.g. the end of typing, without the drain).</summary>
    public Timeline Snapshot(string title, string scenario, double until = double.MaxValue)
    {
        lock (_faults)
        {
            return new Timeline(title, scenario, [.. Seconds.Where(s => s.T <= until)], [.. _faults], [.. Memory.Where(m => m.T <= until)]);
        }
    }

    private static HdrHistogram.LongHistogram NewMinute() => new(1, LatencyHistogram.HighestMicros, 3);

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Tick()
    {
        var interval = _second.TakeInterval();
        var deliveries = Interlocked.Exchange(ref _deliveries, 0);
        var errors = Interlocked.Exchange(ref _errors, 0);
        var t = Math.Round(Now, 1);
        double? Ms(double percentile) => interval.TotalCount == 0 ? null : Math.Round(interval.GetValueAtPercentile(percentile) / 1000.0, 2);
        lock (_seconds)
        {
            _seconds.Add(new TimelineSecond(t, deliveries, Ms(50), Ms(99), interval.TotalCount == 0 ? null : Math.Round(interval.GetMaxValue() / 1000.0, 2), errors));
            _minute.Add(interval);
            if (_seconds.Count % 60 == 0)
            {
                _minutes.Add(Percentiles.From(_minute));
                _minute = NewMinute();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _ticking;
        _stop.Dispose();
    }
}
