using System.Text.Json.Nodes;

namespace OrleansChat.Infra.Tests;

/// <summary>
/// A burstable instance out of CPU credits runs at its baseline (20% of a t3.small's vCPUs), where a silo can miss its
/// 1 s membership probes and be voted dead while healthy. Unlimited credits never throttle (EC2 bills the surplus).
/// </summary>
[Collection(SynthesisCollection.Name)]
public sealed class TheInstancesDoNotRunOutOfCpu(Deployments deployments)
{
    [Fact]
    public void BurstableInstancesRunWithUnlimitedCredits()
    {
        Assert.Equal("t3.small", (string?)LaunchTemplateData(deployments.Default)["InstanceType"]);
        Assert.Equal("unlimited", (string?)LaunchTemplateData(deployments.Default)["CreditSpecification"]?["CpuCredits"]);
        Assert.Equal("unlimited", (string?)LaunchTemplateData(deployments.Custom)["CreditSpecification"]?["CpuCredits"]);
    }

    [Fact]
    public void OtherInstanceTypesHaveNoCreditSettingAtAll()
    {
        var deployment = Deployment.Synthesize(new Dictionary<string, string>
        {
            ["containerImageUri"] = Deployment.ImageUri,
            ["instanceType"] = "m7g.medium",
        });

        Assert.Equal("m7g.medium", (string?)LaunchTemplateData(deployment)["InstanceType"]);
        Assert.Null(LaunchTemplateData(deployment)["CreditSpecification"]);
    }

    private static JsonObject LaunchTemplateData(Deployment deployment) =>
        TemplateJson.Properties(TemplateJson.Single(deployment.ServiceJson, "AWS::EC2::LaunchTemplate").Resource)["LaunchTemplateData"]!.AsObject();
}
