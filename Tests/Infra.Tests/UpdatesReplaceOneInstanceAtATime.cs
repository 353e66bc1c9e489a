using System.Text.Json.Nodes;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class UpdatesReplaceOneInstanceAtATime(Deployments deployments)
{
    [Fact]
    public void TwoInstancesByDefaultWithRoomForOneMoreDuringAnUpdate()
    {
        var group = Group(deployments.Default);

        Assert.Equal(("2", "2", "3"), ((string?)group["MinSize"], (string?)group["DesiredCapacity"], (string?)group["MaxSize"]));
    }

    [Fact]
    public void TheCapacityComesFromContext()
    {
        var group = Group(deployments.Custom);

        Assert.Equal(("2", "3", "4"), ((string?)group["MinSize"], (string?)group["DesiredCapacity"], (string?)group["MaxSize"]));
        Assert.Equal(3, (int)Policy(deployments.Custom, "UpdatePolicy")["AutoScalingRollingUpdate"]!["MinInstancesInService"]!);
    }

    [Fact]
    public void ARollingUpdateKeepsTheDesiredCapacityInServiceAndWaitsForEachNewInstance()
    {
        var update = Policy(deployments.Default, "UpdatePolicy")["AutoScalingRollingUpdate"]!;
        var creation = Policy(deployments.Default, "CreationPolicy")["ResourceSignal"]!;

        Assert.Equal(1, (int)update["MaxBatchSize"]!);
        Assert.Equal(2, (int)update["MinInstancesInService"]!);
        Assert.True((bool)update["WaitOnResourceSignals"]!);
        Assert.Equal("PT15M", (string?)update["PauseTime"]);
        Assert.Equal(2, (int)creation["Count"]!);
    }

    [Fact]
    public void ANewImageIsANewLaunchTemplateVersionWhichTriggersTheUpdate()
    {
        var newer = Deployment.Synthesize(new Dictionary<string, string>
        {
            ["containerImageUri"] = Deployment.ImageUri.Replace(":3f2c1ab", ":9e8d7c6", StringComparison.Ordinal),
        });

        // The group always runs the launch template's latest version, so a changed template is a changed group.
        var (launchTemplate, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::EC2::LaunchTemplate");
        Assert.Equal($"{{GetAtt:{launchTemplate}.LatestVersionNumber}}", TemplateJson.Render(Group(deployments.Default)["LaunchTemplate"]!["Version"]));
        Assert.NotEqual(UserData(deployments.Default), UserData(newer));
        Assert.Contains(":9e8d7c6'", UserData(newer), StringComparison.Ordinal);
    }

    private static JsonObject Group(Deployment deployment) =>
        TemplateJson.Properties(TemplateJson.Single(deployment.ServiceJson, "AWS::AutoScaling::AutoScalingGroup").Resource);

    private static JsonObject Policy(Deployment deployment, string policy) =>
        TemplateJson.Single(deployment.ServiceJson, "AWS::AutoScaling::AutoScalingGroup").Resource[policy]!.AsObject();

    private static string UserData(Deployment deployment) =>
        TemplateJson.Render(TemplateJson.Properties(TemplateJson.Single(deployment.ServiceJson, "AWS::EC2::LaunchTemplate").Resource)["LaunchTemplateData"]!["UserData"]);
}
