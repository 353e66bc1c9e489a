using OrleansChat.Infra.Service;

namespace OrleansChat.Infra.Tests;

/// <summary>The instances' start-up script as CloudFormation will hand it over (intrinsics rendered as text).</summary>
internal static class UserData
{
    public static string Of(Deployment deployment)
    {
        var (_, launchTemplate) = TemplateJson.Single(deployment.ServiceJson, "AWS::EC2::LaunchTemplate");
        var script = TemplateJson.Render(TemplateJson.Properties(launchTemplate)["LaunchTemplateData"]!["UserData"]);
        Assert.StartsWith("#!/bin/bash\n", script, StringComparison.Ordinal);
        return script;
    }

    /// <summary>bash parses <paramref name="script"/> (<c>bash -n</c>) without an error.</summary>
    public static void AssertValidBash(string script)
    {
        var bash = new System.Diagnostics.ProcessStartInfo("bash", ["-n"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(bash)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, errors);
    }

    /// <summary>Everything before the installs (IMDS, the failure signal, the Redis token), its folder moved to <paramref name="runDirectory"/>.</summary>
    public static string SetupPart(Deployment deployment, string runDirectory)
    {
        var script = Of(deployment);
        var end = script.IndexOf(StartupScript.SetupEndsMarker, StringComparison.Ordinal);
        Assert.True(end > 0, "the start-up script has no set-up marker");
        var original = $"RUN_DIR='{StartupScript.RunDirectory}'";
        Assert.Contains(original, script, StringComparison.Ordinal);
        return script[..end].Replace(original, $"RUN_DIR='{runDirectory}'", StringComparison.Ordinal) + "echo set-up-done\n";
    }

    /// <summary>The drain watcher, as the start-up script's heredoc writes it to disk.</summary>
    public static string DrainWatcherScript(Deployment deployment)
    {
        var script = Of(deployment);
        var opening = $"cat >{DrainWatcher.Path} <<'DRAIN'\n";
        var start = script.IndexOf(opening, StringComparison.Ordinal);
        Assert.True(start > 0, "the start-up script does not write the drain watcher");
        start += opening.Length;
        var end = script.IndexOf("\nDRAIN\n", start, StringComparison.Ordinal);
        Assert.True(end > start, "the drain watcher's heredoc does not end");
        return script[start..(end + 1)];
    }
}
