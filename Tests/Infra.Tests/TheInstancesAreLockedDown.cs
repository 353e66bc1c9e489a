using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheInstancesAreLockedDown(Deployments deployments)
{
    [Fact]
    public void TheLaunchTemplateRequiresImdsV2()
    {
        var metadata = LaunchTemplateData(deployments.Default)["MetadataOptions"]!;

        Assert.Equal("required", (string?)metadata["HttpTokens"]);
        Assert.Equal("enabled", (string?)metadata["HttpEndpoint"]);
    }

    [Fact]
    public void TheRootVolumeIsEncryptedGp3()
    {
        var volume = Assert.Single(LaunchTemplateData(deployments.Default)["BlockDeviceMappings"]!.AsArray())!;

        Assert.Equal("/dev/xvda", (string?)volume["DeviceName"]);
        Assert.True((bool)volume["Ebs"]!["Encrypted"]!);
        Assert.Equal("gp3", (string?)volume["Ebs"]!["VolumeType"]);
    }

    [Fact]
    public void TheyRunAmazonLinux2023MatchingTheirProcessor()
    {
        Assert.Equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64", ImageParameter(deployments.Default));
        Assert.Equal("t3.small", (string?)LaunchTemplateData(deployments.Default)["InstanceType"]);
        Assert.Equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64", ImageParameter(deployments.Custom));
        Assert.Equal("t4g.small", (string?)LaunchTemplateData(deployments.Custom)["InstanceType"]);
    }

    [Fact]
    public void TheyLiveInThePrivateSubnets()
    {
        var group = TemplateJson.Properties(TemplateJson.Single(deployments.Default.ServiceJson, "AWS::AutoScaling::AutoScalingGroup").Resource);

        Assert.Equal(2, group["VPCZoneIdentifier"]!.AsArray().Count);
        Assert.All(group["VPCZoneIdentifier"]!.AsArray(), subnet => Assert.Contains("PrivateSubnet", TemplateJson.Render(subnet), StringComparison.Ordinal));
        Assert.Null(LaunchTemplateData(deployments.Default)["NetworkInterfaces"]);
    }

    [Fact]
    public void TheLoadBalancersHealthCheckDecidesWhenAnInstanceIsReplaced()
    {
        deployments.Default.Service.HasResourceProperties("AWS::AutoScaling::AutoScalingGroup", new Dictionary<string, object>
        {
            ["HealthCheckType"] = "ELB",
            ["TargetGroupARNs"] = Match.AnyValue(),
        });
    }

    private static JsonObject LaunchTemplateData(Deployment deployment) =>
        TemplateJson.Properties(TemplateJson.Single(deployment.ServiceJson, "AWS::EC2::LaunchTemplate").Resource)["LaunchTemplateData"]!.AsObject();

    private static string? ImageParameter(Deployment deployment)
    {
        var parameter = (string)LaunchTemplateData(deployment)["ImageId"]!["Ref"]!;
        return (string?)deployment.ServiceJson["Parameters"]![parameter]!["Default"];
    }
}
