using System.Globalization;
using System.Text;

namespace OrleansChat.TraceReport;

/// <summary>Options of one report.</summary>
internal sealed record ReportOptions(string TracePath, int Top, string? Filter, string? Title, IReadOnlyList<string> Notes, string? Callees = null, string? Callers = null);

/// <summary>Writes the markdown report of a <see cref="SampleSet"/>.</summary>
internal static class MarkdownReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Write(SampleSet set, ReportOptions options)
    {
        var md = new StringBuilder();
        var all = set.Samples;
        var counted = all.Where(s => !s.Blocked).ToList();
        var blocked = all.Count - counted.Count;
        var n = counted.Count;

        md.Append(Inv, $"# CPU profile: {options.Title ?? Path.GetFileNameWithoutExtension(options.TracePath)}\n\n");
        md.Append(Inv, $"- trace: `{Path.GetFileName(options.TracePath)}` ({new FileInfo(options.TracePath).Length / 1024.0 / 1024.0:0.0} MB), ");
        md.Append(Inv, $"process {set.ProcessName} (pid {set.ProcessId}), {set.Threads} threads sampled, window {set.WindowMSec / 1000:0.0} s\n");
        md.Append(Inv, $"- samples: `{set.EventName}` — {Describe(set.Kind)}\n");
        foreach (var note in options.Notes) md.Append(Inv, $"- {note}\n");
        if (set.OtherProcesses.Count > 0)
        {
            md.Append(Inv, $"- other processes in the trace (not counted): {string.Join(", ", set.OtherProcesses.Take(8).Select(p => $"{p.Name} {p.Pid} ({p.Samples})"))}\n");
        }
        md.Append(Inv, $"- **total samples: {all.Count:N0}**");
        if (set.Kind == SampleKind.ThreadTime)
        {
            md.Append(Inv, $"; blocked {blocked:N0} ({Pct(blocked, all.Count)} of all); **counted (running): {n:N0}**");
            if (set.WindowMSec > 0) md.Append(Inv, $" ≈ {n / (set.WindowMSec / 1000):N0} running thread-samples/s");
        }
        else if (set.WindowMSec > 0)
        {
            md.Append(Inv, $" ({all.Count / (set.WindowMSec / 1000):N0}/s)");
        }
        md.Append("\n\n");
        if (n == 0)
        {
            md.Append("No samples to report.\n");
            return md.ToString();
        }

        md.Append("## Buckets\n\n");
        md.Append("Each sample goes to the bucket of the first frame, walking from the leaf towards the root, that a rule of ");
        md.Append("`bench/TraceReport/Buckets.cs` names (plumbing rules — thread-pool dispatch, async/Task — only when nothing ");
        md.Append("else in the stack matches). Frames no rule names (kernel, libc, unsymbolized runtime, CoreLib collections) ");
        md.Append("pass the sample on to their caller: a socket syscall counts for `System.Net.Sockets`, a futex wake for the ");
        md.Append("thread-pool wake-up that made it.");
        if (set.Kind == SampleKind.ThreadTime) md.Append(" Shares are of the running (not blocked) samples.");
        md.Append("\n\n| bucket | samples | share |\n|---|---:|---:|\n");
        foreach (var (bucket, count) in counted.GroupBy(s => s.Bucket).Select(g => (g.Key, g.Count())).OrderByDescending(b => b.Item2))
        {
            md.Append(Inv, $"| {Cell(bucket)} | {count:N0} | {Pct(count, n)} |\n");
        }
        md.Append(Inv, $"| **total** | **{n:N0}** | **{Pct(n, n)}** |\n\n");
        AppendOverTime(md, counted, set.WindowMSec / 1000);

        if (set.Kind != SampleKind.ThreadTime)
        {
            md.Append("Where the leaf frame is (the code on the CPU itself, before any attribution):\n\n| leaf in | samples | share |\n|---|---:|---:|\n");
            foreach (var (layer, count) in counted.GroupBy(s => s.Stack.Length == 0 ? Layer.Unknown : s.Stack[0].Layer)
                         .Select(g => (g.Key, g.Count())).OrderByDescending(l => l.Item2))
            {
                md.Append(Inv, $"| {LayerName(layer)} | {count:N0} | {Pct(count, n)} |\n");
            }
            md.Append('\n');
        }

        if (set.ThreadNames.Count > 0)
        {
            md.Append("By thread (names from /proc, taken while the trace ran):\n\n| thread | threads | samples | share |\n|---|---:|---:|---:|\n");
            foreach (var g in counted.GroupBy(s => set.ThreadNames.GetValueOrDefault(s.Tid) ?? "? (not named: ended before the names were read)")
                         .OrderByDescending(g => g.Count()))
            {
                md.Append(Inv, $"| {Cell(g.Key)} | {g.Select(s => s.Tid).Distinct().Count()} | {g.Count():N0} | {Pct(g.Count(), n)} |\n");
            }
            md.Append('\n');
        }

        var exclusive = Count(counted, s => s.Stack.Take(1));
        var inclusive = Count(counted, s => s.Stack.Distinct());
        FrameTable(md, $"Top {options.Top} exclusive (leaf) frames", exclusive, inclusive, n, options.Top, exclusiveFirst: true);
        FrameTable(md, $"Top {options.Top} inclusive frames (the frame anywhere in the stack)", exclusive, inclusive, n, options.Top, exclusiveFirst: false);

        if (!string.IsNullOrEmpty(options.Filter))
        {
            var f = options.Filter;
            // Code of the filter's modules or namespaces; not CoreLib plumbing that merely names one of its types in
            // a generic argument (AsyncStateMachineBox`1[...,OrleansChat...]).
            bool Match(Frame fr) => fr.Module.Contains(f, StringComparison.OrdinalIgnoreCase) || fr.Method.StartsWith(f, StringComparison.OrdinalIgnoreCase);
            var withFilter = counted.Count(s => s.Stack.Any(Match));
            md.Append(Inv, $"## Frames matching `{f}`\n\n{withFilter:N0} samples ({Pct(withFilter, n)}) have a frame of a module whose name contains it or a method whose name starts with it; ");
            md.Append("self = samples where it is the leaf-most matching frame (its own code and the unnamed code it calls).\n\n");
            var self = Count(counted, s => s.Stack.Where(Match).Take(1));
            var incl = Count(counted.Where(s => s.Stack.Any(Match)), s => s.Stack.Where(Match).Distinct());
            if (withFilter == 0)
            {
                md.Append("None.\n\n");
            }
            else
            {
                md.Append("| # | frame | inclusive | self |\n|---:|---|---:|---:|\n");
            }
            var i = 0;
            foreach (var (frame, count) in incl.OrderByDescending(k => k.Value).Take(options.Top).Select(k => (k.Key, k.Value)))
            {
                md.Append(Inv, $"| {++i} | {Code(frame.Display)} | {Pct(count, n)} | {Pct(self.GetValueOrDefault(frame), n)} |\n");
            }
            md.Append('\n');
        }

        if (!string.IsNullOrEmpty(options.Callees))
        {
            ChainTable(md, counted, options.Callees, n, options.Top, callers: false);
        }

        if (!string.IsNullOrEmpty(options.Callers))
        {
            ChainTable(md, counted, options.Callers, n, options.Top, callers: true);
        }

        var unmatched = counted.Where(s => s.Bucket == Buckets.UnmatchedManaged).ToList();
        if (unmatched.Count > 0)
        {
            md.Append(Inv, $"## Unmatched managed samples: leaf-most managed frame\n\n{unmatched.Count:N0} samples ({Pct(unmatched.Count, n)}) matched no rule; ");
            md.Append("the rules in `Buckets.cs` can name the biggest of these.\n\n| frame | samples | share |\n|---|---:|---:|\n");
            var leaves = Count(unmatched, s => s.Stack.Where(f => f.Layer == Layer.Managed).Take(1));
            foreach (var (frame, count) in leaves.OrderByDescending(k => k.Value).Take(Math.Min(options.Top, 10)).Select(k => (k.Key, k.Value)))
            {
                md.Append(Inv, $"| {Code(frame.Display)} | {count:N0} | {Pct(count, n)} |\n");
            }
            md.Append('\n');
        }
        return md.ToString();
    }

    /// <summary>
    /// What the frames containing <paramref name="text"/> call (<paramref name="callers"/> false): for each sample with
    /// such a frame, the next <see cref="ChainDepth"/> frames towards the leaf below the outermost one (e.g. which timer
    /// callbacks <c>TimerQueue.FireNextTimers</c> runs). Or what calls them (<paramref name="callers"/> true): the next
    /// frames towards the root above the innermost one (e.g. whose async methods an allocating
    /// <c>GetStateMachineBox</c> belongs to, in an allocation-tick trace).
    /// </summary>
    private static void ChainTable(StringBuilder md, IReadOnlyList<Sample> counted, string text, int n, int top, bool callers)
    {
        var chains = new Dictionary<string, int>();
        var matched = 0;
        foreach (var sample in counted)
        {
            var at = -1;
            if (callers)
            {
                for (var i = 0; i < sample.Stack.Length && at < 0; i++)
                {
                    at = sample.Stack[i].Display.Contains(text, StringComparison.OrdinalIgnoreCase) ? i : -1;
                }
            }
            else
            {
                for (var i = sample.Stack.Length - 1; i >= 0 && at < 0; i--)
                {
                    at = sample.Stack[i].Display.Contains(text, StringComparison.OrdinalIgnoreCase) ? i : -1;
                }
            }

            if (at < 0)
            {
                continue;
            }

            matched++;
            var step = callers ? 1 : -1;
            var next = Enumerable.Range(1, ChainDepth).Select(d => at + d * step).Where(i => i >= 0 && i < sample.Stack.Length).Select(i => sample.Stack[i].Display).ToList();
            var chain = next.Count == 0 ? Code("(the frame itself)") : string.Join(callers ? " ← " : " → ", next.Select(Code));
            chains[chain] = chains.GetValueOrDefault(chain) + 1;
        }

        var heading = callers ? "Callers of" : "Called from";
        md.Append(Inv, $"## {heading} `{text}`\n\n");
        md.Append(Inv, $"{matched:N0} samples ({Pct(matched, n)}) have a frame containing it; ");
        var where = callers ? "above the innermost one" : "below the outermost one";
        var towards = callers ? "root" : "leaf";
        md.Append(Inv, $"{where}, the next {ChainDepth} frames towards the {towards}:\n\n");
        if (matched == 0)
        {
            md.Append("None.\n\n");
            return;
        }

        md.Append(Inv, $"| # | {(callers ? "callers" : "callees")} | samples | share |\n|---:|---|---:|---:|\n");
        var row = 0;
        foreach (var (chain, count) in chains.OrderByDescending(k => k.Value).Take(top).Select(k => (k.Key, k.Value)))
        {
            md.Append(Inv, $"| {++row} | {chain} | {count:N0} | {Pct(count, n)} |\n");
        }

        md.Append('\n');
    }

    private const int ChainDepth = 3;

    private static void FrameTable(StringBuilder md, string title, Dictionary<Frame, int> exclusive, Dictionary<Frame, int> inclusive,
        int n, int top, bool exclusiveFirst)
    {
        md.Append(Inv, $"## {title}\n\n| # | frame | exclusive | inclusive |\n|---:|---|---:|---:|\n");
        var order = (exclusiveFirst ? exclusive : inclusive).OrderByDescending(k => k.Value).Take(top);
        var i = 0;
        foreach (var (frame, _) in order.Select(k => (k.Key, k.Value)))
        {
            md.Append(Inv, $"| {++i} | {Code(frame.Display)} | {Pct(exclusive.GetValueOrDefault(frame), n)} | {Pct(inclusive.GetValueOrDefault(frame), n)} |\n");
        }
        md.Append('\n');
    }

    private static Dictionary<Frame, int> Count(IEnumerable<Sample> samples, Func<Sample, IEnumerable<Frame>> frames)
    {
        var counts = new Dictionary<Frame, int>();
        foreach (var s in samples)
        {
            foreach (var f in frames(s)) counts[f] = counts.GetValueOrDefault(f) + 1;
        }
        return counts;
    }

    private static string Describe(SampleKind kind) => kind switch
    {
        SampleKind.PerfCpu => "perf CPU samples (`dotnet-trace collect-linux --profile cpu-sampling`): each is a thread of the process on a CPU; kernel and native frames included.",
        SampleKind.ThreadTime => $"EventPipe thread-time samples (`dotnet-trace collect`, sample profiler): every managed thread is sampled whether it runs or not, managed frames only. Samples of a thread outside managed code (in a wait, a syscall, the runtime) whose leaf is a known wait, or that stay on one stack for {SampleSet.LongRun}+ samples in a row, are counted as blocked and left out; the rest approximate CPU, but on a busy machine they also include threads that were ready to run and waiting for a core, and time in native code (syscalls, GC, JIT) is attributed to the managed frame that entered it.",
        _ => "events chosen with --event; every event with a stack counts as one sample.",
    };

    private static string LayerName(Layer layer) => layer switch
    {
        Layer.Managed => "managed code",
        Layer.Runtime => "CLR runtime native (libcoreclr: GC, stubs, type system...)",
        Layer.Jit => "JIT (libclrjit)",
        Layer.Kernel => "kernel (syscalls, scheduler, network stack, interrupts)",
        Layer.LibC => "libc / loader / vdso",
        Layer.OtherNative => "other native libraries",
        _ => "unknown (unresolved address)",
    };

    /// <summary>
    /// Samples per slice of the window (at most 30 slices of whole seconds) with each slice's biggest bucket: a spike in a
    /// long trace shows here, and --from/--to then report it alone.
    /// </summary>
    private static void AppendOverTime(StringBuilder md, List<Sample> counted, double windowSeconds)
    {
        if (windowSeconds < 4) return;
        var slice = Math.Max(1, (int)Math.Ceiling(windowSeconds / 30));
        var first = Math.Floor(counted.Min(s => s.Second));
        md.Append(Inv, $"Over time (seconds since the process's first sample in the trace; {slice} s per row):\n\n");
        md.Append("| from s | samples | per s | biggest bucket |\n|---:|---:|---:|---|\n");
        foreach (var group in counted.GroupBy(s => (int)((s.Second - first) / slice)).OrderBy(g => g.Key))
        {
            var (bucket, count) = group.GroupBy(s => s.Bucket).Select(g => (g.Key, g.Count())).MaxBy(b => b.Item2);
            md.Append(Inv, $"| {first + group.Key * slice:0} | {group.Count():N0} | {group.Count() / (double)slice:N0} | {Cell(bucket)} ({Pct(count, group.Count())}) |\n");
        }
        md.Append('\n');
    }

    private static string Pct(int part, int whole) => whole == 0 ? "–" : string.Create(Inv, $"{100.0 * part / whole:0.0} %");

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>A code span safe in a table cell: double backticks (names hold single ones: List`1), pipes escaped.</summary>
    private static string Code(string text)
    {
        if (text.Length > 150) text = string.Concat(text.AsSpan(0, 147), "...");
        return $"`` {Cell(text)} ``";
    }
}
