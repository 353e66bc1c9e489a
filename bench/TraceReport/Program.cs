using OrleansChat.TraceReport;

// TraceReport: a markdown report of a .nettrace sampling profile (bench/profile.sh runs it; see bench/README.md).
const string Usage = """
    usage: TraceReport <trace.nettrace> [--top N] [--filter TEXT] [--out report.md] [--pid PID] [--event TEXT]
                       [--title TEXT] [--note TEXT]... [--threads FILE] [--callees TEXT] [--callers TEXT] [--from S] [--to S] [--gc]
      --top N        rows in the frame tables (20)
      --filter TEXT  also list the top frames of modules whose name contains TEXT or methods whose name
                     starts with it (e.g. OrleansChat)
      --out FILE     write the markdown to FILE instead of stdout
      --pid PID      the process to report (default: the one with the most samples)
      --event TEXT   count the events with stacks whose "provider/name" contains TEXT instead of the CPU or
                     thread-time samples found by default
      --title TEXT   the report's title (default: the trace's file name)
      --note TEXT    a line for the report's header (repeatable), e.g. how the trace was collected
      --threads FILE thread names: lines of "<tid><tab><name>" (profile.sh reads them from /proc/<pid>/task);
                     they name the runtime's native threads (GC, EventPipe) and make a per-thread table
      --callees TEXT what the frames containing TEXT call: the next frames below the outermost such frame of each
                     sample, counted (e.g. --callees TimerQueue.FireNextTimers: which timer callbacks run)
      --callers TEXT what calls the frames containing TEXT: the next frames above the innermost such frame of each
                     sample, counted (e.g. --event AllocationTick --callers GetStateMachineBox: whose async methods allocate)
      --from S --to S only the samples from S seconds after the process's first sample (--from) and before
                     S seconds (--to): the report of a spike seen in the "Over time" table of a longer trace
      --gc           only the garbage collections' pauses (the trace needs the runtime's GC events; profile.sh
                     collects them); a CPU report appends the same table when the trace has them. Its --from/--to
                     count from the start of the trace, not from a sample
    """;

string? trace = null, filter = null, output = null, eventFilter = null, title = null, threadsFile = null, callees = null, callers = null;
int top = 20;
double? from = null, to = null;
var gcOnly = false;
int? pid = null;
var notes = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--top": top = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--filter": filter = Value(); break;
        case "--out": output = Value(); break;
        case "--pid": pid = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--event": eventFilter = Value(); break;
        case "--title": title = Value(); break;
        case "--note": notes.Add(Value()); break;
        case "--threads": threadsFile = Value(); break;
        case "--callees": callees = Value(); break;
        case "--callers": callers = Value(); break;
        case "--from": from = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--to": to = double.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture); break;
        case "--gc": gcOnly = true; break;
        case "-h" or "--help": Console.WriteLine(Usage); return 0;
        default:
            if (args[i].StartsWith("--", StringComparison.Ordinal) || trace is not null)
            {
                Console.Error.WriteLine($"TraceReport: unexpected argument '{args[i]}'\n{Usage}");
                return 2;
            }
            trace = args[i];
            break;
    }
}
if (trace is null)
{
    Console.Error.WriteLine(Usage);
    return 2;
}
if (!File.Exists(trace))
{
    Console.Error.WriteLine($"TraceReport: no such file: {trace}");
    return 2;
}

try
{
    var threadNames = new Dictionary<int, string>();
    if (threadsFile is not null)
    {
        foreach (var line in File.ReadLines(threadsFile))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0 && int.TryParse(line.AsSpan(0, tab), System.Globalization.CultureInfo.InvariantCulture, out var tid))
            {
                threadNames[tid] = line[(tab + 1)..].Trim();
            }
        }
    }
    var window = new TimeWindow(from, to);
    string markdown;
    if (gcOnly)
    {
        markdown = $"# GC pauses: {title ?? Path.GetFileNameWithoutExtension(trace)}\n\n{string.Concat(notes.Select(n => $"- {n}\n"))}\n"
            + (GcPauses.Report(trace, pid ?? 0, window) ?? throw new InvalidDataException("no GC events in the trace (collect Microsoft-Windows-DotNETRuntime:0x1:4)"));
    }
    else
    {
        var set = SampleSet.Read(trace, eventFilter, pid, threadNames, Console.Error, window);
        markdown = MarkdownReport.Write(set, new ReportOptions(trace, top, filter, title, notes, callees, callers)) + GcPauses.Report(trace, set.ProcessId, window);
    }

    if (output is null) Console.Out.Write(markdown);
    else File.WriteAllText(output, markdown);
    return 0;
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"TraceReport: {e.Message}");
    return 1;
}
