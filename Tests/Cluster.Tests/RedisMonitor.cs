using System.Diagnostics;
using System.Globalization;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// <c>redis-cli monitor</c> on a test's Redis: every command the server runs, as printed by Redis, so a test can count
/// the writes to one key. Started and ready (Redis answered OK) before <see cref="StartAsync"/> returns.
/// </summary>
public sealed class RedisMonitor : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Task _reading;

    private RedisMonitor(Process process)
    {
        _process = process;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<RedisMonitor> StartAsync(int port)
    {
        var start = new ProcessStartInfo("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), "monitor"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (first != "OK")
        {
            process.Kill();
            throw new InvalidOperationException($"redis-cli monitor answered '{first}'");
        }

        return new RedisMonitor(process);
    }

    /// <summary>Commands seen so far that write (HMSET/HSET/SET) the key <paramref name="key"/>.</summary>
    public int WritesTo(string key)
    {
        var quoted = "\"" + key + "\"";
        lock (_lines)
        {
            return _lines.Count(l => l.Contains(quoted, StringComparison.Ordinal)
                && (l.Contains("\"HMSET\"", StringComparison.Ordinal) || l.Contains("\"HSET\"", StringComparison.Ordinal) || l.Contains("\"SET\"", StringComparison.Ordinal)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
