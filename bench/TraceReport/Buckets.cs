namespace OrleansChat.TraceReport;

/// <summary>
/// The bucket rules, all in one place. A sample's bucket is found by walking its stack FROM THE LEAF towards the
/// root and taking the first frame that matches a specific rule; generic rules (the plumbing at the bottom of
/// every stack: thread-pool dispatch, ExecutionContext, Task/async machinery, timers) count only when no frame of
/// the stack matches a specific rule. Frames no rule names (kernel, libc, unsymbolized runtime, CoreLib
/// collections, strings, pipelines...) pass their sample on to their caller. A stack no rule names at all (the
/// runtime's native threads) goes by its thread's name (<see cref="ThreadRules"/>), else by what it holds.
///
/// Why from the leaf: the question a CPU profile answers is "what kind of code burns the CPU". Walking from the
/// root would put everything a grain turn does under the Orleans scheduler (its frames are below every grain
/// call) and every JSON write under whoever called it; from the leaf, a futex wake under a thread-pool wake-up is
/// a wake-up, a socket send under Orleans messaging is sockets, and grain code is grain code. The leaf is also
/// always there: a broken unwind or a truncated stack loses root frames, never the leaf. The top inclusive table
/// of the report answers the other question (which entry point owns the work).
/// </summary>
internal static class Buckets
{
    /// <summary>A rule: a bucket and the frame patterns it matches (see the comment on <see cref="Rules"/>).</summary>
    internal sealed record Rule(string Name, bool Generic, params string[] Patterns);

    // Order matters only within one frame (the first rule matching a frame wins for that frame); across frames the
    // leaf-most matching frame wins. Patterns: a method-name prefix ("Orleans.Runtime.Messaging."), or
    // "module:NAME" (prefix of the module file name, case-insensitive: EventPipe and perf spell modules differently).
    internal static readonly Rule[] Rules =
    [
        new("JIT (libclrjit)", false, "module:libclrjit"),
        new("GC (managed GC API, waits for a GC to end, standalone GC module)", false,
            "System.GC.", "System.Threading.Thread.<PollGC>", "System.Threading.Thread.PollGC", "module:libclrgc"),
        new("Thread pool: wake-ups, parked workers, queue operations", false,
            "System.Threading.PortableThreadPool", "System.Threading.LowLevelLifoSemaphore",
            "System.Threading.LowLevelMonitor", "System.Threading.LowLevelSpinWaiter",
            "System.Threading.ThreadPoolWorkQueue.EnsureThreadRequested", "System.Threading.ThreadPool.RequestWorkerThread",
            "System.Threading.ThreadPoolWorkQueue.Enqueue", "System.Threading.ThreadPoolWorkQueue.Dequeue"),
        new("Locks, waits, sleeps", false,
            "System.Threading.Monitor.", "System.Threading.WaitHandle", "System.Threading.ManualResetEventSlim",
            "System.Threading.SemaphoreSlim", "System.Threading.Thread.Sleep", "System.Threading.Thread.Join",
            "System.Threading.SpinWait", "System.Threading.Lock."),
        new("Orleans serialization, generated code (serializers, proxies, invokers)", false, "Orleans.Serialization.", "OrleansCodeGen."),
        new("Orleans messaging: connections, messages, RPC", false,
            "Orleans.Runtime.Messaging.", "Orleans.Networking.", "Orleans.Messaging.", "Orleans.Runtime.Message.",
            "Orleans.Runtime.InsideRuntimeClient", "Orleans.Runtime.OutsideRuntimeClient",
            "Orleans.Runtime.GrainReferenceRuntime", "Orleans.Runtime.CallbackData", "Orleans.Runtime.SharedCallbackData",
            "Orleans.Runtime.ResponseCompletionSource", "Orleans.ClusterClient", "Orleans.Runtime.GrainReference"),
        new("Orleans streams (pulling agents, queue cache, delivery)", false,
            "Orleans.Streams.", "Orleans.Providers.", "Orleans.Streaming."),
        new("Orleans dashboard", false, "Orleans.Dashboard", "OrleansDashboard"),
        new("Orleans scheduler and activations (own overhead)", false,
            "Orleans.Runtime.Scheduler.", "Orleans.Runtime.ActivationData", "Orleans.Runtime.GrainTimer",
            "Orleans.Runtime.Catalog", "Orleans.Runtime.ActivationDirectory", "Orleans.Runtime.SystemTarget"),
        new("Orleans, other", false, "Orleans."),
        new("JSON (System.Text.Json)", false, "System.Text.Json."),
        new("OrleansChat code", false, "OrleansChat.", "Program.", "module:OrleansChat."),
        new("System.Net.Sockets", false, "System.Net.Sockets.", "module:System.Net.Sockets"),
        new("Kestrel, WebSockets", false,
            "Microsoft.AspNetCore.Server.Kestrel", "System.Net.WebSockets.", "Microsoft.AspNetCore.WebSockets",
            "module:Microsoft.AspNetCore.Server.Kestrel", "module:System.Net.WebSockets"),
        new("ASP.NET Core: HTTP, routing, middleware", false, "Microsoft.AspNetCore.", "module:Microsoft.AspNetCore."),
        new("Redis client (StackExchange.Redis)", false, "StackExchange.Redis.", "module:StackExchange.Redis"),
        new("Telemetry: metrics, logging, EventSource", false,
            "OpenTelemetry.", "System.Diagnostics.Metrics.", "System.Diagnostics.Tracing.", "System.Diagnostics.Activity",
            "System.Diagnostics.DiagnosticSource", "Microsoft.Extensions.Logging.", "Microsoft.Extensions.Diagnostics.",
            "module:OpenTelemetry", "module:Microsoft.Extensions.Logging", "module:System.Diagnostics.DiagnosticSource"),

        // Generic: only when no specific rule matches anywhere in the stack.
        new("Thread pool dispatch, timers, async/Task plumbing", true,
            "System.Threading.ThreadPoolWorkQueue", "System.Threading.ExecutionContext", "System.Threading.Tasks.",
            "System.Runtime.CompilerServices.Async", "System.Runtime.CompilerServices.PoolingAsync",
            "System.Runtime.CompilerServices.TaskAwaiter", "System.Threading.QueueUserWorkItemCallback",
            "System.Runtime.CompilerServices.ValueTaskAwaiter", "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable",
            "System.Threading.TimerQueue", "System.Threading.Thread.", "System.Threading.ThreadPool",
            "System.Threading.TimerQueueTimer", "System.Threading.PeriodicTimer", "System.Threading.CancellationTokenSource"),
    ];

    // Buckets of samples that no rule matched, by what their stack holds.
    internal const string UnmatchedManaged = "Other managed code (no rule matched; see the unmatched table)";
    internal const string RuntimeNative = "CLR runtime native, no managed frame (runtime threads, stubs; see the threads table)";
    internal const string KernelOnly = "Kernel only (no user frame)";
    internal const string OtherNative = "Other native code";

    /// <summary>Samples of a thread-time trace whose thread was blocked (see <see cref="IsBlockedLeaf"/>).</summary>
    internal const string Blocked = "Blocked threads (waiting, not on a CPU)";

    /// <summary>
    /// Leaf frames of a thread that is blocked, not running: only used for EventPipe thread-time samples taken while
    /// the thread was outside managed code ("External"), where a sample does not mean the thread was on a CPU.
    /// </summary>
    private static readonly string[] BlockingLeaves =
    [
        "System.Threading.Monitor.Wait", "System.Threading.Monitor.ReliableEnter", "System.Threading.Monitor.Enter",
        "System.Threading.WaitHandle.Wait", "System.Threading.LowLevelLifoSemaphore.Wait",
        "System.Threading.ManualResetEventSlim.Wait", "System.Threading.SemaphoreSlim.Wait",
        "System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart", // its semaphore wait, inlined
        "System.Threading.LowLevelMonitor.Wait", "System.Threading.Thread.Sleep", "System.Threading.Thread.Join",
        "System.Threading.Lock.Enter", "System.Threading.Lock.TryEnterSlow",
        "Interop+Sys.WaitForSocketEvents", "System.Net.Sockets.SocketAsyncEngine.EventLoop",
        "System.IO.FileSystemWatcher+RunningInstance.TryReadEvent", "Interop+Sys.Poll", "System.ConsolePal",
        "Interop+Sys.WaitPid", "Interop+Sys.ReadStdin",
    ];

    /// <summary>
    /// Is the thread blocked: its leaf-most named frame, looking past interop stubs and unresolved frames (the
    /// P/Invoke of a wait often is one), is a known wait.
    /// </summary>
    internal static bool IsBlockedLeaf(IReadOnlyList<Frame> leafFirst)
    {
        for (var i = 0; i < leafFirst.Count && i < 3; i++)
        {
            var name = leafFirst[i].Method;
            foreach (var p in BlockingLeaves)
            {
                if (name.StartsWith(p, StringComparison.Ordinal)) return true;
            }
            if (name.Length > 0 && !name.StartsWith("Interop+", StringComparison.Ordinal)) break;
        }
        return false;
    }

    /// <summary>
    /// Threads by name (Linux thread names, read from /proc by bench/profile.sh: the trace does not hold them), for
    /// samples whose stack no rule names: the runtime's own native threads have no managed frame to go by.
    /// </summary>
    internal static readonly (string Bucket, string[] NamePrefixes)[] ThreadRules =
    [
        ("GC threads (server GC, background GC)", [".NET Server GC", ".NET BGC", ".NET Background GC", ".NET GC"]),
        ("Tracing and diagnostics threads (EventPipe, debugger: the profiler's own cost)",
            [".NET EventPipe", ".NET DebugPipe", ".NET Debugger", ".NET Diagnostic", ".NET SigHandler"]),
        ("JIT (libclrjit)", [".NET Tiered Com"]),
        ("Finalizer thread", [".NET Finalizer"]),
    ];

    /// <summary>The bucket of one stack, frames leaf first, sampled on a thread of this name (null: unknown).</summary>
    internal static string Classify(IReadOnlyList<Frame> leafFirst, string? threadName)
    {
        string? generic = null;
        foreach (var frame in leafFirst)
        {
            foreach (var rule in Rules)
            {
                if (!Matches(rule, frame)) continue;
                if (!rule.Generic) return rule.Name;
                generic ??= rule.Name;
                break;
            }
        }
        if (generic is not null) return generic;
        if (threadName is not null)
        {
            foreach (var (bucket, prefixes) in ThreadRules)
            {
                if (prefixes.Any(p => threadName.StartsWith(p, StringComparison.Ordinal))) return bucket;
            }
        }
        if (leafFirst.Any(f => f.Layer == Layer.Managed)) return UnmatchedManaged;
        if (leafFirst.Any(f => f.Layer == Layer.Runtime)) return RuntimeNative;
        if (leafFirst.Count > 0 && leafFirst.All(f => f.Layer == Layer.Kernel)) return KernelOnly;
        return OtherNative;
    }

    private static bool Matches(Rule rule, Frame frame)
    {
        foreach (var p in rule.Patterns)
        {
            if (p.StartsWith("module:", StringComparison.Ordinal))
            {
                if (frame.Module.StartsWith(p.AsSpan(7), StringComparison.OrdinalIgnoreCase)) return true;
            }
            else if (frame.Method.StartsWith(p, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
