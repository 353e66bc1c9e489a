using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace OrleansChat.Bench;

/// <summary>
/// The <c>System.Runtime</c> counters of another .NET process (managed heap, GC, thread pool), read from outside it by
/// pid: an EventPipe session over the diagnostics IPC (the Unix socket <c>dotnet-diagnostic-&lt;pid&gt;-*-socket</c> in the
/// temp folder) with the <c>System.Runtime</c> EventCounters provider, parsed by TraceEvent's
/// <see cref="EventPipeEventSource"/> on a thread of its own. The latest value of each counter is kept;
/// <see cref="GcHeapMb"/> is the one a soak test wants.
/// </summary>
/// <remarks>
/// <para>
/// Never throws to the caller: a pid that does not exist, a process that is not .NET (or runs with
/// <c>DOTNET_EnableDiagnostics=0</c>, or under another <c>TMPDIR</c>), a process that exits or is killed, all end the
/// reading and set <see cref="Error"/>; the numbers then stay at their last value (see <see cref="IsReading"/> and
/// <see cref="LastSampleAt"/> to tell a stale one). A process that was just started may not have its diagnostics
/// socket yet: attaching is retried for up to 5 s while the pid lives. When a server is killed and replaced, dispose
/// this monitor and <see cref="Start"/> a new one with the new pid: disposing a monitor of a dead process takes
/// milliseconds (its stream has already ended; stopping fails at once on the stale socket).
/// </para>
/// <para>
/// Why EventCounters and not the <c>System.Runtime</c> Meter of .NET 9+ (provider
/// <c>System.Diagnostics.Metrics</c>): the EventCounters of <c>RuntimeEventSource</c> are still published by
/// .NET 10 (checked against a real .NET 10.0 WebFront by Tests/Cluster.Tests/ResourceSamplerTests), they need no
/// session id / metric filter protocol, and they carry exactly the numbers wanted here. The Meter would add
/// histograms and dimensions nobody reads in a soak sample.
/// </para>
/// <para>
/// Measured here (2 cores, .NET 10.0.12, the WebFront executable with its embedded silo): attaching (IPC connect +
/// session start) takes 2–30 ms; the first counters arrive ~1.7–2.1 s after <see cref="Start"/>, then one set per
/// second; disposing takes ~100 ms for a live process (the runtime flushes and ends the stream) and ~2 ms for a
/// killed one. Gotcha: EventCounters have one polling interval per process, the smallest any listener asked for, and
/// Orleans.Core has an EventListener of its own on the runtime counters (its statistics; the string
/// <c>EventCounterIntervalSec</c> is in Orleans.Core.dll), so the embedded WebFront sent every second whatever
/// <c>interval</c> said (3 s, 5 s and 10 s all came at 1 s; a few hundred bytes per second, harmless: the latest value
/// is kept). Expect the same of silos and cluster-mode WebFronts (same Orleans.Core; not measured). In a process with
/// no other listener the interval is honoured and the first set comes after about two intervals (6.1 s at 3 s).
/// The session is started without rundown (stopping it costs the target nothing) and with a 4 MB buffer (the default
/// is 256 MB).
/// </para>
/// </remarks>
public sealed class RuntimeCounterMonitor : IAsyncDisposable
{
    private const string Provider = "System.Runtime";
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AttachRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, double> _latest = new(StringComparer.Ordinal);
    private readonly TimeSpan _interval;
    private Task _reading = Task.CompletedTask;
    private EventPipeSession? _session;
    private string? _error;
    private DateTimeOffset? _lastSampleAt;
    private double _gen2Total;
    private bool _sawGen2;
    private bool _isReading;
    private bool _disposed;

    private RuntimeCounterMonitor(int pid, TimeSpan interval)
    {
        Pid = pid;
        _interval = interval;
    }

    /// <summary>The process watched.</summary>
    public int Pid { get; }

    /// <summary><c>gc-heap-size</c>: the managed heap in MB (GC.GetTotalMemory), or null before the first sample or when the process cannot be attached.</summary>
    public double? GcHeapMb => Latest("gc-heap-size");

    /// <summary><c>gc-committed</c>: memory committed by the GC in MB, or null.</summary>
    public double? GcCommittedMb => Latest("gc-committed");

    /// <summary><c>threadpool-thread-count</c>, or null.</summary>
    public double? ThreadPoolThreads => Latest("threadpool-thread-count");

    /// <summary>
    /// The sum of the <c>gen-2-gc-count</c> increments seen, or null: the gen 2 collections from about the moment this
    /// monitor attached, not since the process started (each increment covers one polling tick; checked in a process
    /// with no other listener: 3 forced collections before attaching counted 0, one after counted 1). Compare two
    /// samples of it, never read it as a process total.
    /// </summary>
    public long? Gen2GcCount
    {
        get
        {
            lock (_gate)
            {
                return _sawGen2 ? (long)_gen2Total : null;
            }
        }
    }

    /// <summary>When the last counter event arrived, or null.</summary>
    public DateTimeOffset? LastSampleAt
    {
        get
        {
            lock (_gate)
            {
                return _lastSampleAt;
            }
        }
    }

    /// <summary>True while a session is attached and its events are being read.</summary>
    public bool IsReading
    {
        get
        {
            lock (_gate)
            {
                return _isReading;
            }
        }
    }

    /// <summary>Why there are no (more) numbers: not attached, the process exited, the session failed; null while all is well.</summary>
    public string? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    /// <summary>
    /// Every counter of the last interval by name (<c>gc-heap-size</c>, <c>alloc-rate</c>, <c>time-in-gc</c>,
    /// <c>threadpool-queue-length</c>, <c>exception-count</c>, <c>working-set</c>...): the mean of a mean counter, the
    /// increment of a sum counter.
    /// </summary>
    public IReadOnlyDictionary<string, double> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<string, double>(_latest, StringComparer.Ordinal);
        }
    }

    /// <summary>Attaches to <paramref name="pid"/> in the background and samples every <paramref name="interval"/> (whole seconds or fractions).</summary>
    public static RuntimeCounterMonitor Start(int pid, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var monitor = new RuntimeCounterMonitor(pid, interval);
        // Process() blocks its thread for the whole session: a thread of its own, not one of the pool's.
        monitor._reading = Task.Factory.StartNew(monitor.Read, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return monitor;
    }

    /// <summary>Stops the session (bounded: a few seconds at most, even for a hung or dead process) and waits for the reader.</summary>
    public async ValueTask DisposeAsync()
    {
        EventPipeSession? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
        }

        await _stop.CancelAsync();
        if (session is not null)
        {
            try
            {
                // Asks the runtime to end the session: it flushes and closes the stream, and Process() returns.
                using var timeout = new CancellationTokenSource(StopTimeout);
                await session.StopAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The process is gone or hung (its socket refuses or never answers): closing the stream below ends the reader.
                SetError("stop: " + ex.GetType().Name + ": " + ex.Message, onlyIfNone: true);
            }
        }

        if (!await CompletesWithin(_reading, StopTimeout))
        {
            // The stream did not end by itself: closing it makes Process() throw on its thread, where it is caught.
            session?.Dispose();
            await CompletesWithin(_reading, StopTimeout);
        }

        session?.Dispose();
        if (_reading.IsCompleted)
        {
            // A reader that is still stuck (it never is, short of a hung kernel) keeps its token source.
            _stop.Dispose();
        }
    }

    private void Read()
    {
        try
        {
            var session = Attach();
            if (session is null)
            {
                return;
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    session.Dispose();
                    return;
                }

                _session = session;
                _isReading = true;
            }

            using var source = new EventPipeEventSource(session.EventStream);
            source.Dynamic.All += OnEvent;
            source.Process();
            if (!_stop.IsCancellationRequested)
            {
                SetError(ProcessResources.IsAlive(Pid) ? "the session ended" : "the process exited", onlyIfNone: true);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!_stop.IsCancellationRequested)
            {
                SetError(ProcessResources.IsAlive(Pid) ? ex.GetType().Name + ": " + ex.Message : "the process exited", onlyIfNone: true);
            }
        }
        finally
        {
            lock (_gate)
            {
                _isReading = false;
            }
        }
    }

    /// <summary>Connects and starts the session, retrying while the process lives but has no diagnostics socket yet; null (with <see cref="Error"/>) when it cannot.</summary>
    private EventPipeSession? Attach()
    {
        var providers = new[]
        {
            new EventPipeProvider(
                Provider,
                EventLevel.Informational,
                keywords: 0,
                arguments: new Dictionary<string, string>
                {
                    ["EventCounterIntervalSec"] = _interval.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                }),
        };
        var deadline = DateTime.UtcNow + AttachTimeout;
        while (true)
        {
            if (!ProcessResources.IsAlive(Pid))
            {
                SetError($"no process {Pid.ToString(CultureInfo.InvariantCulture)}", onlyIfNone: false);
                return null;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(AttachTimeout);
                var client = new DiagnosticsClient(Pid);
                return client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 4, timeout.Token)
                    .GetAwaiter().GetResult();
            }
            catch (ServerNotAvailableException) when (DateTime.UtcNow < deadline && !_stop.IsCancellationRequested)
            {
                // Not (yet) a .NET process with a diagnostics socket: just started, or never will be. Retried below;
                // the last attempt's exception becomes the Error.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (!_stop.IsCancellationRequested)
                {
                    SetError("attach: " + ex.GetType().Name + ": " + ex.Message, onlyIfNone: false);
                }

                return null;
            }

            if (_stop.Token.WaitHandle.WaitOne(AttachRetryDelay))
            {
                return null;
            }
        }
    }

    private void OnEvent(TraceEvent data)
    {
        try
        {
            if (data.EventName != "EventCounters"
                || !string.Equals(data.ProviderName, Provider, StringComparison.Ordinal)
                || data.PayloadValue(0) is not IDictionary<string, object> outer
                || !outer.TryGetValue("Payload", out var inner)
                || inner is not IDictionary<string, object> payload
                || !payload.TryGetValue("Name", out var nameValue)
                || nameValue is not string name)
            {
                return;
            }

            var isSum = payload.TryGetValue("CounterType", out var type) && type is string t && t == "Sum";
            if (!payload.TryGetValue(isSum ? "Increment" : "Mean", out var raw))
            {
                return;
            }

            var value = Convert.ToDouble(raw, CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _latest[name] = value;
                _lastSampleAt = DateTimeOffset.UtcNow;
                if (name == "gen-2-gc-count")
                {
                    _gen2Total += value;
                    _sawGen2 = true;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or KeyNotFoundException)
        {
            // A payload of another shape: recorded, never thrown into Process() (it would end the session).
            SetError("payload: " + ex.Message, onlyIfNone: true);
        }
    }

    private double? Latest(string name)
    {
        lock (_gate)
        {
            return _latest.TryGetValue(name, out var value) ? value : null;
        }
    }

    private void SetError(string message, bool onlyIfNone)
    {
        lock (_gate)
        {
            if (!onlyIfNone || _error is null)
            {
                _error = message;
            }
        }
    }

    private static async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
