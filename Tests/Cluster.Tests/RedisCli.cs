using System.Diagnostics;
using System.Globalization;

namespace OrleansChat.Cluster.Tests;

/// <summary>Runs one <c>redis-cli</c> command against a test's Redis and returns what it printed.</summary>
internal static class RedisCli
{
    public static async Task<string> RunAsync(int port, params string[] args)
    {
        var start = new ProcessStartInfo("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), .. args])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text;
    }
}
