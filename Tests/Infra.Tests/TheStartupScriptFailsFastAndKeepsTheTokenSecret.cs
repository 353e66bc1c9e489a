namespace OrleansChat.Infra.Tests;

/// <summary>
/// Runs the start-up script's set-up (everything before the installs) with IMDS, Secrets Manager and CloudFormation
/// stubbed: an early failure must still signal FAILURE (else CloudFormation waits out the 15-minute signal timeout),
/// and the Redis auth token must reach its root-only file and nothing else.
/// </summary>
[Collection(SynthesisCollection.Name)]
public sealed class TheStartupScriptFailsFastAndKeepsTheTokenSecret(Deployments deployments)
{
    [Fact]
    public void AnImdsFailureBeforeTheInstanceIdIsKnownStillSignalsFailure()
    {
        using var shell = new StubbedShell().With("FAIL_IMDS", "1");

        var (exitCode, _, errors) = shell.Run(UserData.SetupPart(deployments.Default, Path.Combine(shell.Directory, "run")));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("orleans-chat: start-up failed at line", errors, StringComparison.Ordinal);
        var signal = Assert.Single(shell.Calls, call => call.StartsWith("aws cloudformation signal-resource", StringComparison.Ordinal));
        Assert.Contains("--status FAILURE", signal, StringComparison.Ordinal);
        Assert.Matches("--unique-id unknown-\\S+", signal);
        Assert.DoesNotContain("unbound variable", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecretsManagerFailureSignalsFailureForThisInstance()
    {
        using var shell = new StubbedShell().With("FAIL_SECRET", "1");

        var (exitCode, output, _) = shell.Run(UserData.SetupPart(deployments.Default, Path.Combine(shell.Directory, "run")));

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("set-up-done", output, StringComparison.Ordinal);
        var signal = Assert.Single(shell.Calls, call => call.StartsWith("aws cloudformation signal-resource", StringComparison.Ordinal));
        Assert.Contains($"--unique-id {StubbedShell.InstanceId} --status FAILURE", signal, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(shell.Directory, "run", "redis.env")), "a failed read left a token file behind");
    }

    [Fact]
    public void TheTokenGoesIntoARootOnlyFileAndIsNeverPrinted()
    {
        using var shell = new StubbedShell();
        var run = Path.Combine(shell.Directory, "run");
        var (secretId, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::SecretsManager::Secret");

        var (exitCode, output, errors) = shell.Run(UserData.SetupPart(deployments.Default, run));

        Assert.True(exitCode == 0, errors);
        Assert.Contains("set-up-done", output, StringComparison.Ordinal);
        Assert.DoesNotContain(shell.Calls, call => call.StartsWith("aws cloudformation signal-resource", StringComparison.Ordinal));
        var read = Assert.Single(shell.Calls, call => call.StartsWith("aws secretsmanager get-secret-value", StringComparison.Ordinal));
        Assert.Contains($"--secret-id {{Ref:{secretId}}}", read, StringComparison.Ordinal);

        var file = Path.Combine(run, "redis.env");
        var (redis, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElastiCache::ReplicationGroup");
        Assert.Equal(
            $"ConnectionStrings__Redis={{GetAtt:{redis}.PrimaryEndPoint.Address}}:6379,ssl=true,abortConnect=false,password={shell.Token}\n",
            File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(run));

        // Not in the output (cloud-init logs it), not on any command line (ps shows those).
        Assert.DoesNotContain(shell.Token, output + errors, StringComparison.Ordinal);
        Assert.DoesNotContain(shell.Calls, call => call.Contains(shell.Token, StringComparison.Ordinal));
    }

    [Fact]
    public void TheWholeScriptNeverTracesOrEchoesTheToken()
    {
        var script = UserData.Of(deployments.Default);

        Assert.DoesNotContain("set -x", script, StringComparison.Ordinal);
        Assert.DoesNotContain("xtrace", script, StringComparison.Ordinal);
        // The one place the token variable is used is the printf into the env file.
        Assert.Equal(2, script.Split("$redis_token").Length);
        Assert.DoesNotContain("resolve:secretsmanager", script, StringComparison.Ordinal);
    }
}
