namespace OrleansChat.Bench;

/// <summary>
/// S7's resource samples: every <see cref="LoadOptions.ResourceInterval"/>, each server process's RSS (and, where the
/// helpers can read them, managed heap, threads, open sockets) and the Redis's used memory, into the timeline.
/// </summary>
internal static class ResourceSampler
{
    public static async Task RunAsync(LoadRun run, TimelineRecorder timeline, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(run.Options.ResourceInterval);
        try
        {
            do
            {
                var t = Math.Round(timeline.Now, 1);
                foreach (var process in run.CurrentProcesses())
                {
                    var sample = ProcessProbe.Sample(process.Pid);
                    if (sample.Alive)
                    {
                        timeline.Sample(new TimelineMemory(t, process.Name, Math.Round(sample.RssKb / 1024.0, 1), null, null, null));
                    }
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
                    catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or FormatException)
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
    }
}
