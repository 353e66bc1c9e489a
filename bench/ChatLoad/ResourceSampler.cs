namespace OrleansChat.Bench;

/// <summary>
/// S6/S7's resource samples: every <see cref="LoadOptions.ResourceInterval"/>, each server process's RSS, threads and
/// open sockets (<see cref="ProcessResources"/>, from /proc) and managed heap (<see cref="RuntimeCounterMonitor"/>, the
/// process's own System.Runtime counters over the diagnostics IPC; redis has none), and the Redis's used memory, into
/// the timeline. A restarted process (new pid) gets a new monitor.
/// </summary>
internal static class ResourceSampler
{
    public static async Task RunAsync(LoadRun run, TimelineRecorder timeline, CancellationToken cancellationToken)
    {
        var monitors = new Dictionary<string, RuntimeCounterMonitor>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(run.Options.ResourceInterval);
        try
        {
            do
            {
                var t = Math.Round(timeline.Now, 1);
                foreach (var process in run.CurrentProcesses())
                {
                    var sample = ProcessResources.Sample(process.Pid);
                    if (!sample.Alive)
                    {
                        continue;
                    }

                    double? heap = null;
                    if (process.Name != "redis")
                    {
                        if (!monitors.TryGetValue(process.Name, out var monitor) || monitor.Pid != process.Pid)
                        {
                            if (monitor is not null)
                            {
                                await monitor.DisposeAsync();
                            }

                            monitors[process.Name] = monitor = RuntimeCounterMonitor.Start(process.Pid, TimeSpan.FromSeconds(1));
                        }

                        heap = monitor.IsReading && monitor.GcHeapMb is { } mb ? Math.Round(mb, 1) : null;
                    }

                    timeline.Sample(new TimelineMemory(t, process.Name, Math.Round(sample.RssKb / 1024.0, 1), heap,
                        sample.Threads, process.Name == "redis" ? null : sample.OpenSockets));
                }

                if (run.Options.Redis is { } redis)
                {
                    try
                    {
                        var info = await RedisInfo.ReadAsync(redis, cancellationToken);
                        if (info.TryGetValue("used_memory", out var used) && long.TryParse(used, out var bytes))
                        {
                            timeline.Sample(new TimelineMemory(t, "redis used_memory", Math.Round(bytes / 1048576.0, 1), null, null, null));
                        }
                    }
                    catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or FormatException or InvalidOperationException)
                    {
                        // Redis restarting (S6): no sample this time.
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var monitor in monitors.Values)
            {
                await monitor.DisposeAsync();
            }
        }
    }
}
