using OrleansChat.Infra.Service;

namespace OrleansChat.Infra.Tests;

/// <summary>
/// <c>-c topology=cohosted</c>: each instance runs one container, a WebFront that is also the instance's silo (the local
/// cluster's <c>TOPOLOGY=cohosted</c>); the drain watcher stops that one container, which leaves the cluster as it
/// stops. Everything else (network, load balancer, Redis, the lifecycle hook) is the same as the default's.
/// </summary>
[Collection(SynthesisCollection.Name)]
public sealed class CohostedInstancesRunOneProcess(Deployments deployments)
{
    [Fact]
    public void OneWebFrontHostsTheSiloAdvertisingThePrivateIp()
    {
        var script = UserData.Of(deployments.Cohosted);
        var runs = script.Split('\n').Where(line => line.StartsWith("docker run ", StringComparison.Ordinal)).ToList();

        var run = Assert.Single(runs);
        Assert.Contains("--name webfront", run, StringComparison.Ordinal);
        Assert.DoesNotContain("--name silo", script, StringComparison.Ordinal);
        Assert.DoesNotContain("\"$IMAGE\" silo", script, StringComparison.Ordinal);
        Assert.Contains(
            "--env Orleans__HostSilo=true --env \"Orleans__AdvertisedIP=$PRIVATE_IP\" --env Orleans__SiloPort=11111 --env Orleans__GatewayPort=30000",
            script,
            StringComparison.Ordinal);
        // The WebFront's own settings are the default's.
        Assert.Contains("--env ASPNETCORE_URLS=http://+:3000 --env \"Chat__Socket__ServerId=$INSTANCE_ID\"", script, StringComparison.Ordinal);
        Assert.Contains("--env Chat__Metrics__Address=127.0.0.1 --env Chat__Metrics__Port=9464", script, StringComparison.Ordinal);
        Assert.Contains("--env \"Chat__ForwardedHeaders__KnownNetworks__0=$VPC_CIDR\"", script, StringComparison.Ordinal);
        Assert.Contains("\"$IMAGE\" webfront\n", script, StringComparison.Ordinal);
        Assert.True(script.IndexOf("http://127.0.0.1:3000/ready", StringComparison.Ordinal) > script.IndexOf("\"$IMAGE\" webfront", StringComparison.Ordinal));

        // The default still runs both.
        Assert.Contains("--name silo", UserData.Of(deployments.Default), StringComparison.Ordinal);
        Assert.DoesNotContain("Orleans__HostSilo", UserData.Of(deployments.Default), StringComparison.Ordinal);
    }

    [Fact]
    public void OnTerminationTheOneContainerDrainsThenTheHookCompletes()
    {
        using var shell = StubbedShell.ForDrainWatcher(inServiceReads: 2);

        var (exitCode, output, errors) = shell.Run(UserData.DrainWatcherScript(deployments.Cohosted));

        Assert.True(exitCode == 0, errors);
        Assert.Contains("termination continues", output, StringComparison.Ordinal);
        var calls = shell.Calls.ToList();
        var webfront = calls.IndexOf("docker stop webfront");
        var complete = calls.FindIndex(call => call.StartsWith("aws autoscaling complete-lifecycle-action", StringComparison.Ordinal));
        Assert.True(webfront >= 0, "the WebFront was never stopped");
        Assert.True(webfront < complete, "the hook was completed before the WebFront had drained");
        Assert.DoesNotContain("docker stop silo", calls);
        Assert.Empty(errors);
    }

    [Fact]
    public void TheNetworkAndTheServiceAreTheDefaultsOtherwise()
    {
        foreach (var type in new[] { "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElastiCache::ReplicationGroup", "AWS::AutoScaling::LifecycleHook", "AWS::EC2::SecurityGroupIngress" })
        {
            Assert.Equal(
                TemplateJson.Resources(deployments.Default.ServiceJson, type).Count(),
                TemplateJson.Resources(deployments.Cohosted.ServiceJson, type).Count());
        }

        Assert.Equal(deployments.Default.NetworkJson.ToJsonString(), deployments.Cohosted.NetworkJson.ToJsonString());
    }

    [Fact]
    public void ItIsValidBash() => UserData.AssertValidBash(UserData.Of(deployments.Cohosted));
}
