using System.Globalization;
using System.Text.RegularExpressions;
using OrleansChat.Infra.Service;

namespace OrleansChat.Infra.Tests;

/// <summary>
/// On AWS a terminating instance is deregistered first and its sockets are cut when the deregistration delay ends;
/// only then come the termination lifecycle hook and the shutdown. The drain watcher acts on the target lifecycle
/// state, which Auto Scaling sets before all that: these tests run it with IMDS, docker and the AWS CLI stubbed, and
/// check that the timeouts nest (host shutdown &lt; docker's stop timeout; poll + shutdown &lt; deregistration delay).
/// </summary>
[Collection(SynthesisCollection.Name)]
public sealed partial class RetiredInstancesDrainBeforeTheLoadBalancerCutsThem(Deployments deployments)
{
    [Fact]
    public void OnTerminationTheWebFrontDrainsThenTheSiloStopsThenTheHookCompletes()
    {
        using var shell = StubbedShell.ForDrainWatcher(inServiceReads: 3, completeFailures: 2);

        var (exitCode, output, errors) = shell.Run(UserData.DrainWatcherScript(deployments.Default));

        Assert.True(exitCode == 0, errors);
        Assert.Contains("termination continues", output, StringComparison.Ordinal);
        var calls = shell.Calls.ToList();
        var stateReads = calls.FindAll(call => call.EndsWith("/latest/meta-data/autoscaling/target-lifecycle-state", StringComparison.Ordinal)).Count;
        Assert.Equal(4, stateReads);
        var lastStateRead = calls.FindLastIndex(call => call.EndsWith("autoscaling/target-lifecycle-state", StringComparison.Ordinal));
        var webfront = calls.IndexOf("docker stop webfront");
        var silo = calls.IndexOf("docker stop silo");
        var describe = calls.FindIndex(call => call.StartsWith("aws autoscaling describe-auto-scaling-instances", StringComparison.Ordinal));
        var completes = calls.FindAll(call => call.StartsWith("aws autoscaling complete-lifecycle-action", StringComparison.Ordinal));

        Assert.True(lastStateRead < webfront, "the WebFront was stopped before the instance was being terminated");
        Assert.True(webfront < silo, "the silo must stop after the WebFront (its goodbyes go through the cluster)");
        Assert.True(silo < describe);
        Assert.Contains($"--instance-ids {StubbedShell.InstanceId}", calls[describe], StringComparison.Ordinal);
        Assert.Equal(3, completes.Count);
        Assert.All(completes, call => Assert.Contains(
            $"--region eu-west-1 --auto-scaling-group-name {StubbedShell.GroupName} --lifecycle-hook-name {DrainWatcher.LifecycleHookName} " +
            $"--instance-id {StubbedShell.InstanceId} --lifecycle-action-result CONTINUE",
            call,
            StringComparison.Ordinal));
        Assert.DoesNotContain(calls, call => call.StartsWith("docker kill", StringComparison.Ordinal) || call.StartsWith("docker rm", StringComparison.Ordinal));
    }

    [Fact]
    public void WhileTheInstanceIsInServiceTheWatcherTouchesNothing()
    {
        // Bounded: the stub says InService to the first 50 reads, then the test stops looking. The watcher only reads.
        using var shell = StubbedShell.ForDrainWatcher(inServiceReads: 50);
        var watcher = UserData.DrainWatcherScript(deployments.Default);
        var untilTermination = watcher[..watcher.IndexOf("echo \"orleans-chat: Auto Scaling is terminating", StringComparison.Ordinal)];

        var (exitCode, _, errors) = shell.Run(untilTermination + "echo \"reads: $(cat \"$STUB_DIR/state-reads\")\"\n");

        Assert.True(exitCode == 0, errors);
        Assert.All(shell.Calls, call => Assert.StartsWith("curl ", call, StringComparison.Ordinal));
        Assert.Equal(51, shell.Calls.Count(call => call.EndsWith("autoscaling/target-lifecycle-state", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheStartupScriptStartsTheWatcherAfterTheContainersAndBeforeItSignalsReady()
    {
        var script = UserData.Of(deployments.Default);

        var webfront = script.IndexOf("\"$IMAGE\" webfront\n", StringComparison.Ordinal);
        var written = script.IndexOf($"cat >{DrainWatcher.Path} <<'DRAIN'", StringComparison.Ordinal);
        var enabled = script.IndexOf($"systemctl enable --now {DrainWatcher.ServiceName}\n", StringComparison.Ordinal);
        var success = script.IndexOf("signal SUCCESS", StringComparison.Ordinal);
        Assert.True(webfront > 0 && written > webfront && enabled > written && success > enabled, "the order: containers, watcher, ready signal");
        Assert.Contains("Environment=REGION=$REGION LIFECYCLE_HOOK=$LIFECYCLE_HOOK\n", script, StringComparison.Ordinal);
        Assert.Contains($"LIFECYCLE_HOOK='{DrainWatcher.LifecycleHookName}'", script, StringComparison.Ordinal);
    }

    [Fact]
    public void ATerminationLifecycleHookHoldsTheInstanceUntilTheWatcherIsDone()
    {
        var (group, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::AutoScaling::AutoScalingGroup");

        deployments.Default.Service.HasResourceProperties("AWS::AutoScaling::LifecycleHook", new Dictionary<string, object>
        {
            ["AutoScalingGroupName"] = new Dictionary<string, object> { ["Ref"] = group },
            ["LifecycleHookName"] = DrainWatcher.LifecycleHookName,
            ["LifecycleTransition"] = "autoscaling:EC2_INSTANCE_TERMINATING",
            // If the watcher died, termination still goes on by itself.
            ["DefaultResult"] = "CONTINUE",
            ["NotificationTargetARN"] = Amazon.CDK.Assertions.Match.Absent(),
        });
    }

    [Fact]
    public void TheTimeoutsNestSoADrainEndsByItselfBeforeAnythingCutsIt()
    {
        var script = UserData.Of(deployments.Default);
        var stopTimeout = int.Parse(StopTimeout().Match(script).Groups[1].Value, CultureInfo.InvariantCulture);
        var hostTimeout = TimeSpan.Parse(HostTimeout().Match(script).Groups[1].Value, CultureInfo.InvariantCulture).TotalSeconds;
        var (_, targetGroup) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElasticLoadBalancingV2::TargetGroup");
        var deregistration = int.Parse(
            TemplateJson.Properties(targetGroup)["TargetGroupAttributes"]!.AsArray()
                .Single(attribute => (string?)attribute!["Key"] == "deregistration_delay.timeout_seconds")!["Value"]!.ToString(),
            CultureInfo.InvariantCulture);
        var (_, hook) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::AutoScaling::LifecycleHook");
        var heartbeat = (int)TemplateJson.Properties(hook)["HeartbeatTimeout"]!;

        Assert.True(hostTimeout < stopTimeout, $".NET gives up after {hostTimeout} s, docker kills after {stopTimeout} s: SIGKILL could land mid-drain");
        Assert.True(DrainWatcher.PollSeconds + hostTimeout < deregistration,
            $"the watcher notices within {DrainWatcher.PollSeconds} s and the WebFront drains within {hostTimeout} s, but the load balancer cuts sockets after {deregistration} s");
        Assert.True(heartbeat >= (2 * stopTimeout) + DrainWatcher.PollSeconds, $"the hook ({heartbeat} s) must outlast two docker stops of {stopTimeout} s");
        // One setting each, shared by both containers (the common arguments).
        Assert.Single(StopTimeout().Matches(script));
        Assert.Single(HostTimeout().Matches(script));
    }

    [GeneratedRegex(@"--stop-timeout (\d+)")]
    private static partial Regex StopTimeout();

    [GeneratedRegex(@"--env Chat__ShutdownTimeout=(\d\d:\d\d:\d\d)")]
    private static partial Regex HostTimeout();
}
