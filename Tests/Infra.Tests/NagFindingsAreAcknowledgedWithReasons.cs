namespace OrleansChat.Infra.Tests;

/// <summary>
/// The AWS Solutions (cdk-nag) findings the app acknowledges, with their reasons, as written into the templates'
/// metadata. <c>npm run nag</c> in infra/ runs cdk-nag itself (it is a JavaScript library); this pins the list, so that
/// acknowledging one more finding is a visible change.
/// </summary>
[Collection(SynthesisCollection.Name)]
public sealed class NagFindingsAreAcknowledgedWithReasons(Deployments deployments)
{
    [Fact]
    public void OnlyTheseFindingsAreAcknowledgedEachWithAReason()
    {
        var deployment = deployments.Default;
        var acknowledged = new[] { deployment.NetworkJson, deployment.ServiceJson }
            .SelectMany(template => template["Resources"]!.AsObject())
            .SelectMany(resource => (resource.Value!["Metadata"]?["cdk_nag"]?["rules_to_suppress"]?.AsArray() ?? [])
                .Select(rule => (Resource: resource.Key, Rule: (string)rule!["id"]!, Reason: (string?)rule["reason"] ?? "")))
            .ToList();

        Assert.All(acknowledged, finding => Assert.True(finding.Reason.Length >= 60, $"{finding.Rule} on {finding.Resource}: '{finding.Reason}' is no reason"));
        Assert.Equal(
            [
                "AwsSolutions-AEC5 RedisReplicationGroup",
                "AwsSolutions-AS3 InstancesGroupASG",
                "AwsSolutions-EC23 SecurityGroupsLoadBalancer",
                "AwsSolutions-ELB2 LoadBalancer",
                "AwsSolutions-IAM4 CustomVpcRestrictDefaultSGCustomResourceProviderRole",
                "AwsSolutions-IAM4 InstancesRole",
                "AwsSolutions-IAM5 InstancesDrainPolicy",
                "AwsSolutions-IAM5 InstancesRoleDefaultPolicy",
                "AwsSolutions-L1 CustomVpcRestrictDefaultSGCustomResourceProviderHandler",
                "AwsSolutions-SMG4 RedisAuthToken",
            ],
            acknowledged.Select(finding => $"{finding.Rule} {finding.Resource[..^8]}").Order());
    }
}
