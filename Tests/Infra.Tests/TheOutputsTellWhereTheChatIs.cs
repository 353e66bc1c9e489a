namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheOutputsTellWhereTheChatIs(Deployments deployments)
{
    [Fact]
    public void LoadBalancerUrlIsHttpWithoutACertificateAndHttpsWithOne()
    {
        var (loadBalancer, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElasticLoadBalancingV2::LoadBalancer");

        Assert.Equal($"http://{{GetAtt:{loadBalancer}.DNSName}}", Output(deployments.Default, "LoadBalancerUrl"));
        Assert.StartsWith("https://", Output(deployments.Custom, "LoadBalancerUrl"), StringComparison.Ordinal);
    }

    [Fact]
    public void TheRedisEndpointAndWhereToLookAreOutputsToo()
    {
        var (redis, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElastiCache::ReplicationGroup");
        var (group, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::AutoScaling::AutoScalingGroup");

        Assert.Equal($"{{GetAtt:{redis}.PrimaryEndPoint.Address}}:6379", Output(deployments.Default, "RedisEndpoint"));
        Assert.Equal($"{{Ref:{group}}}", Output(deployments.Default, "AutoScalingGroupName"));
        Assert.StartsWith("{Ref:InstancesContainerLogs", Output(deployments.Default, "ContainerLogGroup"), StringComparison.Ordinal);
    }

    private static string Output(Deployment deployment, string name) =>
        TemplateJson.Render(deployment.ServiceJson["Outputs"]![name]!["Value"]);
}
