using System.Diagnostics;

namespace OrleansChat.Bench;

/// <summary>Runs one scripts/cluster.sh command (<c>kill silo1</c>, <c>start silo1</c>, ...) with this process's environment.</summary>
public static class ClusterScript
{
    public static async Task RunAsync(string script, string command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash", [script, .. command.Split(' ', StringSplitOptions.RemoveEmptyEntries)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NO_BUILD"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {script}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {command} exited {process.ExitCode}: {(await output).Trim()} {(await error).Trim()}".Trim());
        }
    }
}
