using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace OrleansChat.TraceReport;

/// <summary>Where a frame's code lives.</summary>
internal enum Layer { Managed, Runtime, Jit, Kernel, LibC, OtherNative, Unknown }

/// <summary>One stack frame, normalized: "module!Namespace.Type.Method" without the parameter list.</summary>
internal sealed record Frame(string Module, string Method, Layer Layer)
{
    public string Display { get; } = $"{(Module.Length == 0 ? "?" : Module)}!{(Method.Length == 0 ? "?" : Method)}";
}

/// <summary>The kind of samples a trace holds.</summary>
internal enum SampleKind
{
    /// <summary>perf CPU samples (dotnet-trace collect-linux --profile cpu-sampling): a thread on a CPU, kernel included.</summary>
    PerfCpu,

    /// <summary>EventPipe SampleProfiler (dotnet-trace collect): every managed thread, running or not, managed frames only.</summary>
    ThreadTime,

    /// <summary>Some other event with stacks, chosen with --event.</summary>
    Other,
}

/// <summary>One sample: its stack (leaf first) and, for thread-time samples, whether the thread was blocked.</summary>
/// <summary>One sample; <see cref="Second"/> is its time in seconds since the process's first sample in the trace.</summary>
internal sealed record Sample(Frame[] Stack, bool Blocked, string Bucket, int Tid, double Second);

/// <summary>The samples of one process read from a .nettrace file.</summary>
internal sealed class SampleSet
{
    public required string EventName { get; init; }
    public required SampleKind Kind { get; init; }
    public required int ProcessId { get; init; }
    public required string ProcessName { get; init; }
    public required IReadOnlyList<(int Pid, string Name, int Samples)> OtherProcesses { get; init; }
    public required IReadOnlyList<Sample> Samples { get; init; }
    public required double WindowMSec { get; init; }
    public required int Threads { get; init; }

    /// <summary>Thread names by thread id, when given (--threads); the trace itself does not hold them.</summary>
    public required IReadOnlyDictionary<int, string> ThreadNames { get; init; }

    private const string SampleProfiler = "Microsoft-DotNETCore-SampleProfiler";

    /// <summary>
    /// Reads the trace. Sample events are, in this order of preference: the EventPipe sample profiler's
    /// Thread/Sample, perf's "cpu" events (Universal.Events/cpu, written by collect-linux), or the events whose
    /// "provider/name" contains <paramref name="eventFilter"/>. The process: <paramref name="pid"/>, else the one
    /// with the most samples.
    /// </summary>
    public static SampleSet Read(string nettracePath, string? eventFilter, int? pid, IReadOnlyDictionary<int, string> threadNames, TextWriter log,
        TimeWindow window = default)
    {
        var etlxDir = Directory.CreateTempSubdirectory("tracereport-");
        try
        {
            var etlx = TraceLog.CreateFromEventPipeDataFile(nettracePath, Path.Combine(etlxDir.FullName, "trace.etlx"),
                new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null });
            using var traceLog = new TraceLog(etlx);
            return Read(traceLog, eventFilter, pid, threadNames, log, window);
        }
        finally
        {
            try { etlxDir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static SampleSet Read(TraceLog traceLog, string? eventFilter, int? pid, IReadOnlyDictionary<int, string> threadNames, TextWriter log,
        TimeWindow window)
    {
        // Candidate events with stacks, per "provider/event", per process.
        var raw = new Dictionary<string, List<(int Pid, int Tid, CallStackIndex Stack, bool External, double Time)>>();
        var withStacks = new Dictionary<string, int>();
        foreach (var e in traceLog.Events)
        {
            var stack = e.CallStackIndex();
            if (stack == CallStackIndex.Invalid) continue;
            var key = $"{e.ProviderName}/{e.EventName}";
            withStacks[key] = withStacks.GetValueOrDefault(key) + 1;
            var candidate = eventFilter is not null
                ? key.Contains(eventFilter, StringComparison.OrdinalIgnoreCase)
                : e.ProviderName == SampleProfiler || (e.ProviderName.StartsWith("Universal.Events", StringComparison.Ordinal) && e.EventName == "cpu");
            if (!candidate) continue;
            if (!raw.TryGetValue(key, out var list)) raw[key] = list = [];
            list.Add((e.ProcessID, e.ThreadID, stack, IsExternal(e), e.TimeStampRelativeMSec));
        }

        if (raw.Count == 0)
        {
            var known = string.Join(", ", withStacks.OrderByDescending(k => k.Value).Take(10).Select(k => $"{k.Key} ({k.Value})"));
            throw new InvalidDataException(eventFilter is null
                ? $"no CPU or thread-time samples in the trace; events with stacks: {(known.Length == 0 ? "none" : known)}. Pick one with --event."
                : $"no event with stacks matches '{eventFilter}'; events with stacks: {(known.Length == 0 ? "none" : known)}");
        }

        var (eventName, events) = raw.OrderByDescending(k => k.Key.StartsWith(SampleProfiler, StringComparison.Ordinal) ? 1 : 0)
            .ThenByDescending(k => k.Value.Count).First();
        if (raw.Count > 1) log.WriteLine($"TraceReport: several sample events ({string.Join(", ", raw.Keys)}); using {eventName}");
        var kind = eventFilter is not null && !eventName.StartsWith(SampleProfiler, StringComparison.Ordinal) && !eventName.EndsWith("/cpu", StringComparison.Ordinal)
            ? SampleKind.Other
            : eventName.StartsWith(SampleProfiler, StringComparison.Ordinal) ? SampleKind.ThreadTime : SampleKind.PerfCpu;

        var perProcess = events.GroupBy(s => s.Pid).Select(g => (Pid: g.Key, Count: g.Count())).OrderByDescending(p => p.Count).ToList();
        var chosen = pid ?? perProcess[0].Pid;
        if (perProcess.All(p => p.Pid != chosen))
        {
            throw new InvalidDataException($"no samples of pid {chosen}; processes with samples: {string.Join(", ", perProcess.Select(p => $"{p.Pid} ({p.Count})"))}");
        }

        var stacks = new Dictionary<CallStackIndex, Frame[]>();
        var frames = new Dictionary<CodeAddressIndex, Frame>();
        var byName = new Dictionary<(string, string), Frame>();
        var samples = new List<Sample>();
        var threads = new HashSet<int>();
        double first = double.MaxValue, last = double.MinValue;
        var ofProcess = events.Where(s => s.Pid == chosen).ToList();
        var start = ofProcess.Min(s => s.Time);
        ofProcess = ofProcess.Where(s => window.Contains((s.Time - start) / 1000)).ToList();
        if (ofProcess.Count == 0)
        {
            throw new InvalidDataException($"no samples of pid {chosen} between {window}; the trace holds {(events.Where(s => s.Pid == chosen).Max(s => s.Time) - start) / 1000:0.0} s of them");
        }

        var longRuns = kind == SampleKind.ThreadTime ? LongExternalRuns(ofProcess) : [];
        for (var i = 0; i < ofProcess.Count; i++)
        {
            var s = ofProcess[i];
            if (!stacks.TryGetValue(s.Stack, out var stack)) stacks[s.Stack] = stack = ReadStack(traceLog, s.Stack, frames, byName);
            var blocked = kind == SampleKind.ThreadTime && s.External && (longRuns.Contains(i) || Buckets.IsBlockedLeaf(stack));
            var bucket = blocked ? Buckets.Blocked : Buckets.Classify(stack, threadNames.GetValueOrDefault(s.Tid));
            samples.Add(new Sample(stack, blocked, bucket, s.Tid, (s.Time - start) / 1000));
            threads.Add(s.Tid);
            first = Math.Min(first, s.Time);
            last = Math.Max(last, s.Time);
        }

        string NameOf(int p) => traceLog.Processes.LastProcessWithID(p)?.Name ?? "?";
        return new SampleSet
        {
            EventName = eventName,
            Kind = kind,
            ProcessId = chosen,
            ProcessName = NameOf(chosen),
            OtherProcesses = perProcess.Where(p => p.Pid != chosen).Select(p => (p.Pid, NameOf(p.Pid), p.Count)).ToList(),
            Samples = samples,
            WindowMSec = samples.Count > 1 ? last - first : 0,
            Threads = threads.Count,
            ThreadNames = threadNames,
        };
    }

    /// <summary>
    /// A thread sampled outside managed code at the same stack this many times in a row (~1 ms apart) is waiting, not
    /// working: a syscall, a JIT compile or a native runtime call does not keep one stack that long, a wait does.
    /// This catches the waits <see cref="Buckets.IsBlockedLeaf"/> cannot name (a Monitor.Wait inlined into its
    /// caller leaves only the caller on the stack).
    /// </summary>
    internal const int LongRun = 20;

    /// <summary>Indexes of the samples (in <paramref name="samples"/>) that belong to such long runs.</summary>
    private static HashSet<int> LongExternalRuns(List<(int Pid, int Tid, CallStackIndex Stack, bool External, double Time)> samples)
    {
        var result = new HashSet<int>();
        foreach (var thread in Enumerable.Range(0, samples.Count).GroupBy(i => samples[i].Tid))
        {
            var run = new List<int>();
            foreach (var i in thread.OrderBy(i => samples[i].Time))
            {
                if (run.Count > 0 && (!samples[i].External || samples[run[0]].Stack != samples[i].Stack))
                {
                    if (run.Count >= LongRun) result.UnionWith(run);
                    run.Clear();
                }
                if (samples[i].External) run.Add(i);
            }
            if (run.Count >= LongRun) result.UnionWith(run);
        }
        return result;
    }

    /// <summary>EventPipe's ThreadSample says whether the thread was in managed code or outside it (native, a wait).</summary>
    private static bool IsExternal(TraceEvent e)
    {
        if (e.ProviderName != SampleProfiler) return false;
        var index = e.PayloadIndex("Type");
        return index >= 0 && string.Equals(e.PayloadValue(index)?.ToString(), "External", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A stack, leaf first; one <see cref="Frame"/> per method (all addresses in a method share it).</summary>
    private static Frame[] ReadStack(TraceLog traceLog, CallStackIndex index, Dictionary<CodeAddressIndex, Frame> frames,
        Dictionary<(string, string), Frame> byName)
    {
        var callStacks = traceLog.CallStacks;
        var result = new List<Frame>();
        for (var i = index; i != CallStackIndex.Invalid; i = callStacks.Caller(i))
        {
            var address = callStacks.CodeAddressIndex(i);
            if (!frames.TryGetValue(address, out var frame))
            {
                var codeAddresses = traceLog.CodeAddresses;
                var module = codeAddresses.ModuleFile(address)?.Name ?? "";
                var methodIndex = codeAddresses.MethodIndex(address);
                var method = Normalize(methodIndex == MethodIndex.Invalid ? "" : codeAddresses.Methods.FullMethodName(methodIndex));
                if (!byName.TryGetValue((module, method), out frame)) byName[(module, method)] = frame = new Frame(module, method, LayerOf(module, method));
                frames[address] = frame;
            }
            result.Add(frame);
        }
        return [.. result];
    }

    /// <summary>"Ns.Type+Nested::Method(args)" (perf) and "Ns.Type+Nested.Method(args)" (EventPipe) both become "Ns.Type+Nested.Method".</summary>
    internal static string Normalize(string method)
    {
        var paren = method.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0) method = method[..paren];
        return method.Replace("::", ".", StringComparison.Ordinal).Trim();
    }

    internal static Layer LayerOf(string module, string method)
    {
        var m = module.ToLowerInvariant();
        if (m.Length == 0) return method.Length == 0 ? Layer.Unknown : Layer.Managed;
        if (m is "vmlinux" or "[kernel.kallsyms]" || m.StartsWith("[kernel", StringComparison.Ordinal)) return Layer.Kernel;
        if (m.StartsWith("libcoreclr", StringComparison.Ordinal) || m.StartsWith("libclrgc", StringComparison.Ordinal)) return Layer.Runtime;
        if (m.StartsWith("libclrjit", StringComparison.Ordinal)) return Layer.Jit;
        if (m.StartsWith("libc.so", StringComparison.Ordinal) || m.StartsWith("libc-", StringComparison.Ordinal) ||
            m.StartsWith("ld-linux", StringComparison.Ordinal) || m.StartsWith("libpthread", StringComparison.Ordinal) ||
            m.StartsWith("libm.so", StringComparison.Ordinal) || m == "[vdso]") return Layer.LibC;
        if (m.EndsWith(".so", StringComparison.Ordinal) || m.Contains(".so.", StringComparison.Ordinal) || m.StartsWith('[')) return Layer.OtherNative;
        return Layer.Managed;
    }
}

/// <summary>The part of a trace to report, in seconds since the process's first sample (--from, --to); default: all.</summary>
internal readonly record struct TimeWindow(double? From, double? To)
{
    public bool Contains(double second) => (From is not { } from || second >= from) && (To is not { } to || second < to);

    public override string ToString() => $"{From ?? 0:0.#} s and {(To is { } to ? $"{to:0.#} s" : "the end")}";
}
