using System.Diagnostics;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// S6 (faults under load) and S7 (soak) on top of the load engine: one step whose typists type through the whole run
/// while faults are injected one after the other, each send attributed to the phase it was sent in (warm-up, quiet
/// baseline, one per fault), so every phase is checked for loss like a step; plus the timeline and the soak's
/// resource growth.
/// </summary>
public sealed partial class LoadRun
{
    private readonly List<(string Label, long Start)> _phases = [];
    private double _loadEndSeconds = double.MaxValue;
    private double _measureStartSeconds;

    private async Task<(List<StepResult> Phases, List<FaultResult> Faults)> RunFaultsAsync(CancellationToken cancellationToken)
    {
        var options = Options;
        var load = options.Steps[0];
        Volatile.Write(ref _currentStep, 0);
        var begin = Stopwatch.GetTimestamp();
        var window = new LoadWindow(begin + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency), long.MaxValue);
        StartPhase(0, "warm-up", begin);
        _log($"faults: warm-up {options.Warmup.TotalSeconds:0} s, then {options.FaultSettle.TotalSeconds:0} s quiet, then {options.Faults.Count} fault(s) {options.FaultSettle.TotalSeconds:0} s apart");

        using var typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typists = _clients
            .Where(c => c.Slot < load.TypistsPerRoom && c.SenderId is not null)
            .Select(c => Task.Run(
                () => c.TypeAsync(0, load.ChunksPerSecond, window, long.MaxValue, new Random(HashCode.Combine(options.Seed, c.Index)), typing.Token),
                CancellationToken.None))
            .ToList();

        var samples = new List<(ProcessSample[] Cpu, double Self, double Machine, double Load, long At)>();
        (ProcessSample[], double, double, double, long) Sample() =>
            (SampleAll(), ProcessProbe.Self().CpuSeconds, ProcessProbe.MachineBusySeconds(), ProcessProbe.LoadAverage(), Stopwatch.GetTimestamp());

        await DelayUntil(window.Start, cancellationToken);
        samples.Add(Sample());
        StartPhase(1, "quiet baseline", Stopwatch.GetTimestamp());
        await Task.Delay(options.FaultSettle, cancellationToken);

        var commandTimes = new List<(double Seconds, string? Error)>();
        for (var i = 0; i < options.Faults.Count; i++)
        {
            var fault = options.Faults[i];
            samples.Add(Sample());
            var start = Stopwatch.GetTimestamp();
            StartPhase(i + 2, fault.Name, start);
            _log($"fault {i + 1}/{options.Faults.Count}: {fault.Name}");
            string? error = null;
            foreach (var command in fault.Commands)
            {
                try
                {
                    await options.RunFaultCommand!(command, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    error = $"{command}: {ex.Message}";
                    _log($"fault command failed: {error}");
                    CountError("fault_command_failed");
                }
            }

            commandTimes.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, error));
            _log($"fault {i + 1}: commands took {commandTimes[^1].Seconds:0.0} s; {options.FaultSettle.TotalSeconds:0} s to recover");
            await Task.Delay(options.FaultSettle, cancellationToken);
        }

        samples.Add(Sample());
        var typingEnd = Stopwatch.GetTimestamp();
        _loadEndSeconds = Timeline!.SecondsAt(typingEnd) + 2;
        await typing.CancelAsync();
        try
        {
            await Task.WhenAll(typists).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or System.Net.WebSockets.WebSocketException or InvalidOperationException)
        {
            // Typists stop by cancellation.
        }

        // Every commit gets time to arrive everywhere, retried commits included (chunks missed in a fault stay missed:
        // only the latest draft is sent again).
        var drainEnd = Stopwatch.GetTimestamp() + (long)(options.Drain.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < drainEnd && !(Enumerable.Range(0, options.TagCount).All(AllCommitsArrived) && _clients.All(c => c.PendingCommits == 0)))
        {
            await Task.Delay(100, cancellationToken);
        }

        var phases = new List<StepResult>();
        var faults = new List<FaultResult>();
        for (var tag = 1; tag < options.TagCount; tag++)
        {
            // samples[0] is the end of the warm-up; samples[tag] the end of phase tag.
            var (cpuStart, selfStart, machineStart, loadStart, at) = samples[tag - 1];
            var (cpuEnd, selfEnd, machineEnd, loadEnd, endAt) = samples[tag];
            var seconds = (double)(endAt - at) / Stopwatch.Frequency;
            var phase = Evaluate(tag, _phases[tag].Label, load, seconds, cpuStart, cpuEnd, selfEnd - selfStart, machineEnd - machineStart, loadStart, loadEnd);
            phases.Add(phase);
            if (tag >= 2)
            {
                var fault = options.Faults[tag - 2];
                var (recovery, recoveredAt, reconnects) = Recovery(at, tag + 1 < _phases.Count ? _phases[tag + 1].Start : typingEnd, load);
                Timeline?.Fault(new TimelineFault(fault.Name, Math.Round(Timeline.SecondsAt(at), 1), recoveredAt is { } r ? Math.Round(Timeline.SecondsAt(r), 1) : null));
                faults.Add(new FaultResult(fault.Name, fault.Commands, Math.Round(Timeline!.SecondsAt(at), 1), Math.Round(commandTimes[tag - 2].Seconds, 1),
                    commandTimes[tag - 2].Error, recovery, reconnects, phase));
            }
        }

        return (phases, faults);
    }

    private void StartPhase(int tag, string label, long at)
    {
        _phases.Add((label, at));
        Volatile.Write(ref _phase, tag);
    }

    /// <summary>
    /// Who was cut off by the fault that started at <paramref name="start"/> (until <paramref name="end"/>), and when each
    /// was live again: the later of its fresh welcome (if its socket went) and the first chunk after its stall (if its
    /// room's typist was typing to it). A client still cut off when the run ended has not recovered.
    /// </summary>
    private (RecoveryTimes Times, long? RecoveredAt, int Reconnects) Recovery(long start, long end, LoadStep load)
    {
        var times = new List<double>();
        var cuts = new List<double>();
        int affected = 0, reconnects = 0;
        long? latest = start;
        double Ms(long ticks) => (double)ticks * 1000 / Stopwatch.Frequency;
        foreach (var client in _clients)
        {
            var hit = false;
            long? recoveredAt = start;
            double longest = 0;
            foreach (var outage in client.Outages.Where(o => o.Lost >= start && o.Lost < end))
            {
                hit = true;
                reconnects++;
                recoveredAt = outage.Welcomed is { } welcomed && recoveredAt is { } soFar ? Math.Max(soFar, welcomed) : null;
                longest = Math.Max(longest, Ms((outage.Welcomed ?? end) - outage.Lost));
            }

            // Receivers of a room with a typist other than themselves expect chunks all along.
            var receives = load.TypistsPerRoom > (client.Slot < load.TypistsPerRoom ? 1 : 0);
            if (receives)
            {
                // A stall starts at the last chunk before the cut: within a chunk interval before the fault that caused
                // it, so one that starts just before the next fault is the next fault's.
                var lead = StallTicks / 2;
                foreach (var (stallStart, stallEnd) in client.Stalls.Where(s => s.Start >= start - lead && s.Start < end - lead))
                {
                    hit = true;
                    recoveredAt = recoveredAt is { } soFar ? Math.Max(soFar, stallEnd) : null;
                    longest = Math.Max(longest, Ms(stallEnd - stallStart));
                }

                var last = client.LastChunkAt;
                if (last >= start - lead && last < end - StallTicks)
                {
                    // Cut off and never live again before typing stopped.
                    hit = true;
                    recoveredAt = null;
                }
            }

            if (!hit)
            {
                continue;
            }

            affected++;
            if (recoveredAt is { } at)
            {
                times.Add(Ms(at - start));
                cuts.Add(longest);
                latest = latest is { } l ? Math.Max(l, at) : null;
            }
            else
            {
                latest = null;
            }
        }

        times.Sort();
        cuts.Sort();
        static double At(List<double> sorted, double q) =>
            sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)], 0);
        return (new RecoveryTimes(affected, times.Count, At(times, 0.5), At(times, 0.99), At(times, 1), At(cuts, 0.5), At(cuts, 0.99), At(cuts, 1)),
            affected == 0 ? null : latest, reconnects);
    }

    private async Task<ReliabilityResult> ReliabilityAsync(IReadOnlyList<FaultResult>? faults, IReadOnlyList<StepResult> steps)
    {
        var options = Options;
        var timeline = Timeline!;
        await timeline.DisposeAsync();
        string? path = null;
        if (options.TimelinePath is { } timelinePath)
        {
            path = Path.GetFullPath(timelinePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var title = $"{options.Scenario} {options.Mode}: {Shape(options)}";
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(timeline.Snapshot(title, options.Scenario, _loadEndSeconds), TimelineJsonContext.Default.Timeline));
        }

        SoakResult? soak = null;
        if (options.ResourceInterval > TimeSpan.Zero && options.Faults.Count == 0)
        {
            // With faults, processes restart: their samples are drawn, not judged for growth.
            soak = Soak(timeline, options, _measureStartSeconds, _loadEndSeconds);
        }

        var reconnects = _clients.Sum(c => c.Outages.Count);
        return new ReliabilityResult(
            faults,
            soak,
            path,
            steps.Sum(s => s.CommitsSent),
            steps.Sum(s => s.LostCommits),
            steps.Sum(s => s.DuplicatedCommits),
            steps.Sum(s => s.UnconfirmedCommits),
            reconnects);
    }

    /// <summary>Growth of each process's resources from the first samples after warm-up to the last (medians of three).</summary>
    private static SoakResult Soak(TimelineRecorder timeline, LoadOptions options, double measureStart, double measureEnd)
    {
        var samples = timeline.Memory.Where(m => m.T >= measureStart && m.T <= measureEnd).ToList();
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
        }

        static double? Growth(double? from, double? to) => from is > 0 && to is { } t ? Math.Round((t - from.Value) / from.Value * 100, 1) : null;
        var processes = samples.GroupBy(m => m.Process, StringComparer.Ordinal).Select(g =>
        {
            var list = g.OrderBy(m => m.T).ToList();
            var first = list.Take(3).ToList();
            var last = list.TakeLast(3).ToList();
            double? Heap(List<TimelineMemory> part) => part.All(m => m.HeapMb is null) ? null : Math.Round(Median(part.Where(m => m.HeapMb is not null).Select(m => m.HeapMb!.Value)), 1);
            int? Int(List<TimelineMemory> part, Func<TimelineMemory, int?> pick) => part.All(m => pick(m) is null) ? null : (int)Median(part.Where(m => pick(m) is not null).Select(m => (double)pick(m)!.Value));
            var rssStart = Math.Round(Median(first.Select(m => m.RssMb)), 1);
            var rssEnd = Math.Round(Median(last.Select(m => m.RssMb)), 1);
            var heapStart = Heap(first);
            var heapEnd = Heap(last);
            return new SoakProcess(g.Key, rssStart, rssEnd, Growth(rssStart, rssEnd) ?? 0, heapStart, heapEnd, Growth(heapStart, heapEnd),
                Int(first, m => m.Threads), Int(last, m => m.Threads), Int(first, m => m.Sockets), Int(last, m => m.Sockets));
        }).ToList();
        // Whole minutes of the measured window only (not the connect and warm-up, not the drain).
        var minutes = timeline.Minutes.Where((_, i) => (i * 60) >= measureStart && ((i + 1) * 60) <= measureEnd).ToList();
        return new SoakResult(options.ResourceInterval.TotalSeconds, samples.Count, processes, minutes);
    }
}
