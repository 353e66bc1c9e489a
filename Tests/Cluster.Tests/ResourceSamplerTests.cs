using System.Diagnostics;
using System.Globalization;
using System.Text;
using OrleansChat.Bench;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The soak test's resource sampling (bench/ChatLoad: <see cref="ProcessResources"/> from /proc,
/// <see cref="RuntimeCounterMonitor"/> over the diagnostics IPC) against real processes: a WebFront executable in
/// embedded mode (it hosts its own silo, needs nothing else), killed and replaced as in a fault test. In no collection
/// of its own: it starts no cluster, and xunit.runner.json runs collections one at a time.
/// </summary>
public sealed class ResourceSamplerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CounterTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ALiveWebFrontIsSampledAndItsDeathAndReplacementAreNoticed()
    {
        await using var first = await WebFrontProcess.StartAsync();
        var sample = ProcessResources.Sample(first.Pid);
        output.WriteLine($"first WebFront {first.Pid}: {sample}");
        Assert.True(sample.Alive);
        Assert.True(ProcessResources.IsAlive(first.Pid));
        Assert.True(sample.RssKb > 0, $"RSS {sample.RssKb}");
        Assert.True(sample.Threads > 1, $"threads {sample.Threads}");
        Assert.True(sample.OpenSockets >= 1, $"sockets {sample.OpenSockets}"); // at least the listening socket

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            ProcessResources.Sample(first.Pid);
        }

        output.WriteLine($"ProcessResources.Sample: {watch.Elapsed.TotalMilliseconds * 10:F0} µs each");

        var monitor = RuntimeCounterMonitor.Start(first.Pid, TimeSpan.FromSeconds(1));
        try
        {
            watch.Restart();
            await WaitUntilAsync(() => monitor.GcHeapMb > 0, CounterTimeout, () => $"a managed heap size (error: {monitor.Error})");
            output.WriteLine($"first gc-heap-size after {watch.ElapsedMilliseconds} ms: {monitor.GcHeapMb:F1} MB");
            await WaitUntilAsync(() => monitor.ThreadPoolThreads is not null && monitor.GcCommittedMb is not null && monitor.Gen2GcCount is not null, CounterTimeout, () => "the other counters");
            output.WriteLine($"after {watch.ElapsedMilliseconds} ms: committed {monitor.GcCommittedMb:F1} MB, pool threads {monitor.ThreadPoolThreads}, gen 2 GCs {monitor.Gen2GcCount}");
            output.WriteLine(string.Join(", ", monitor.Snapshot().OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value.ToString("G4", CultureInfo.InvariantCulture)}")));
            Assert.Null(monitor.Error);
            Assert.True(monitor.IsReading);

            // Counters keep coming, interval after interval.
            var last = monitor.LastSampleAt;
            await WaitUntilAsync(() => monitor.LastSampleAt > last, CounterTimeout, () => "a later sample");

            await first.KillAsync();
            Assert.False(ProcessResources.Sample(first.Pid).Alive);
            Assert.False(ProcessResources.IsAlive(first.Pid));
            await WaitUntilAsync(() => !monitor.IsReading, TimeSpan.FromSeconds(5), () => "the reader notices the exit");
            Assert.NotNull(monitor.Error);
            output.WriteLine($"after the kill: {monitor.Error}");
        }
        finally
        {
            watch.Restart();
            await monitor.DisposeAsync();
            output.WriteLine($"dispose after the kill: {watch.ElapsedMilliseconds} ms");
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {watch.Elapsed}");

        // The fault test's restart: a new process, a new monitor for its pid.
        await using var second = await WebFrontProcess.StartAsync();
        watch.Restart();
        await using (var replacement = RuntimeCounterMonitor.Start(second.Pid, TimeSpan.FromSeconds(1)))
        {
            await WaitUntilAsync(() => replacement.GcHeapMb > 0, CounterTimeout, () => $"the replacement's heap size (error: {replacement.Error})");
            output.WriteLine($"replacement {second.Pid}: first gc-heap-size after {watch.ElapsedMilliseconds} ms: {replacement.GcHeapMb:F1} MB");
            watch.Restart();
        }

        output.WriteLine($"dispose of a live session: {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {watch.Elapsed}");
        Assert.True(ProcessResources.Sample(second.Pid).Alive, "stopping the session leaves the process running");
    }

    [Fact]
    public async Task AMonitorOfAMissingProcessReportsAnErrorWithoutThrowing()
    {
        var pid = MissingPid();
        Assert.False(ProcessResources.Sample(pid).Alive);
        Assert.Equal(default, ProcessResources.Sample(pid));

        var monitor = RuntimeCounterMonitor.Start(pid, TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => monitor.Error is not null, TimeSpan.FromSeconds(10), () => "an error");
        output.WriteLine($"pid {pid}: {monitor.Error}");
        Assert.Null(monitor.GcHeapMb);
        Assert.False(monitor.IsReading);
        var watch = Stopwatch.StartNew();
        await monitor.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {watch.Elapsed}");
    }

    [Fact]
    public async Task AMonitorOfAProcessThatIsNotDotNetGivesUpWithAnError()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", ["60"]) { UseShellExecute = false })!;
        try
        {
            var sample = ProcessResources.Sample(sleep.Id);
            Assert.True(sample.Alive);
            Assert.Equal(0, sample.OpenSockets);

            var monitor = RuntimeCounterMonitor.Start(sleep.Id, TimeSpan.FromSeconds(1));
            await WaitUntilAsync(() => monitor.Error is not null, TimeSpan.FromSeconds(20), () => "an error");
            output.WriteLine($"sleep {sleep.Id}: {monitor.Error}");
            Assert.Null(monitor.GcHeapMb);
            await monitor.DisposeAsync();
        }
        finally
        {
            sleep.Kill();
        }
    }

    private static int MissingPid()
    {
        for (var pid = 4_000_000; ; pid--)
        {
            if (!Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)))
            {
                return pid;
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout} waiting for {what()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The WebFront executable (embedded mode) on free loopback ports; killed on dispose whatever happened.</summary>
    private sealed class WebFrontProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private WebFrontProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Pid => _process.Id;

        public static async Task<WebFrontProcess> StartAsync()
        {
            var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            var directory = Path.Combine(WebFrontHost.RepositoryRoot(), "WebFront", "bin", configuration, "net10.0");
            var port = FreePort.Next();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "OrleansChat.WebFront.dll")])
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:" + Text(port);
            start.Environment["Orleans__SiloPort"] = Text(FreePort.Next());
            start.Environment["Orleans__GatewayPort"] = Text(FreePort.Next());
            start.Environment["Chat__Metrics__Port"] = Text(FreePort.Next());
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = new WebFrontProcess(Process.Start(start)!);
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
                var deadline = DateTime.UtcNow + StartTimeout;
                while (true)
                {
                    if (process._process.HasExited)
                    {
                        throw new InvalidOperationException($"the WebFront exited ({process._process.ExitCode}): {process.Output}");
                    }

                    try
                    {
                        if ((await http.GetAsync($"http://127.0.0.1:{Text(port)}/healthz")).IsSuccessStatusCode)
                        {
                            return process;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // Not listening yet.
                    }

                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"the WebFront did not become healthy in {StartTimeout}: {process.Output}");
                    }

                    await Task.Delay(100);
                }
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }

        private string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>SIGKILL, as a fault test does, and waits until it is reaped.</summary>
        public async Task KillAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await KillAsync();
            }
            finally
            {
                _process.Dispose();
            }
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
