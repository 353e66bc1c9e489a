namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheStartupScriptRunsBothRoles(Deployments deployments)
{
    [Fact]
    public void ASiloAndAWebFrontRunFromTheImageWithHostNetworking()
    {
        var script = Script(deployments.Default);

        Assert.Contains($"IMAGE='{Deployment.ImageUri}'", script, StringComparison.Ordinal);
        Assert.Contains("common=(--detach --network host --restart unless-stopped", script, StringComparison.Ordinal);
        Assert.Contains("docker run \"${common[@]}\" --name silo", script, StringComparison.Ordinal);
        Assert.Contains("\"$IMAGE\" silo\n", script, StringComparison.Ordinal);
        Assert.Contains("docker run \"${common[@]}\" --name webfront", script, StringComparison.Ordinal);
        Assert.Contains("--env ASPNETCORE_URLS=http://+:3000", script, StringComparison.Ordinal);
        Assert.Contains("\"$IMAGE\" webfront\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public void InternalHttpStaysOnTheInstancesLoopbackAndOnlyTheVpcMayForwardClientAddresses()
    {
        var script = Script(deployments.Default);

        // Host networking: the silo's dashboard and the WebFront's metrics listen on 127.0.0.1 (SSM port forwarding).
        Assert.Contains("--env Orleans__DashboardPort=8080 --env Orleans__DashboardAddress=127.0.0.1", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ASPNETCORE_URLS=http://+:8080", script, StringComparison.Ordinal);
        Assert.Contains("--env Chat__Metrics__Address=127.0.0.1 --env Chat__Metrics__Port=9464", script, StringComparison.Ordinal);
        Assert.Contains("--env \"Chat__ForwardedHeaders__KnownNetworks__0=$VPC_CIDR\"", script, StringComparison.Ordinal);
        var cidrLine = script.Split('\n').Single(line => line.StartsWith("VPC_CIDR=", StringComparison.Ordinal));
        Assert.True(cidrLine.Contains("CidrBlock", StringComparison.Ordinal) || cidrLine.Contains("ImportValue", StringComparison.Ordinal), cidrLine);
    }

    [Fact]
    public void BothRolesGetTheRedisEndpointAndTheSameCluster()
    {
        var script = Script(deployments.Default);
        var (redis, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElastiCache::ReplicationGroup");

        Assert.Contains($"REDIS='{{GetAtt:{redis}.PrimaryEndPoint.Address}}:6379,ssl=true,abortConnect=false'", script, StringComparison.Ordinal);
        // The connection string reaches the containers through the root-only env file, with the auth token appended.
        Assert.Contains("printf 'ConnectionStrings__Redis=%s,password=%s\\n' \"$REDIS\" \"$redis_token\" >\"$RUN_DIR/redis.env\"", script, StringComparison.Ordinal);
        Assert.Contains("--env-file \"$RUN_DIR/redis.env\" --env \"Orleans__ClusterId=$CLUSTER_ID\" --env \"Orleans__ServiceId=$SERVICE_ID\"", script, StringComparison.Ordinal);
        Assert.DoesNotContain("ConnectionStrings__Redis=$REDIS\"", script, StringComparison.Ordinal);
        Assert.Contains("CLUSTER_ID='orleans-chat'", script, StringComparison.Ordinal);
        Assert.Contains("SERVICE_ID='orleans-chat'", script, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSiloAdvertisesThePrivateIpReadThroughImdsV2()
    {
        var script = Script(deployments.Default);

        Assert.Contains("TOKEN=$(curl -fsS --retry 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)", script, StringComparison.Ordinal);
        Assert.Contains("PRIVATE_IP=$(curl -fsS --retry 5 -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/local-ipv4)", script, StringComparison.Ordinal);
        Assert.Contains("--env \"Orleans__AdvertisedIP=$PRIVATE_IP\" --env Orleans__SiloPort=11111 --env Orleans__GatewayPort=30000", script, StringComparison.Ordinal);
    }

    [Fact]
    public void ItLogsIntoTheImagesRegistryAndLogsToTheStacksLogGroup()
    {
        var script = Script(deployments.Default);
        var (logGroup, _) = Assert.Single(
            TemplateJson.Resources(deployments.Default.ServiceJson, "AWS::Logs::LogGroup"),
            group => group.Id.StartsWith("InstancesContainerLogs", StringComparison.Ordinal));

        Assert.Contains("REGISTRY='123456789012.dkr.ecr.eu-west-1.amazonaws.com'", script, StringComparison.Ordinal);
        Assert.Contains("aws ecr get-login-password --region \"$REGISTRY_REGION\" | docker login --username AWS --password-stdin \"$REGISTRY\"", script, StringComparison.Ordinal);
        Assert.Contains($"LOG_GROUP='{{Ref:{logGroup}}}'", script, StringComparison.Ordinal);
        Assert.Contains("--log-driver awslogs --log-opt \"awslogs-region=$REGION\" --log-opt \"awslogs-group=$LOG_GROUP\"", script, StringComparison.Ordinal);
        deployments.Default.Service.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object> { ["RetentionInDays"] = 14 });
    }

    [Fact]
    public void ItSignalsTheAutoScalingGroupOnlyOnceTheWebFrontIsReady()
    {
        var script = Script(deployments.Default);
        var (group, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::AutoScaling::AutoScalingGroup");

        Assert.Contains($"SIGNAL_RESOURCE='{group}'", script, StringComparison.Ordinal);
        Assert.Contains("trap '[ \"$BASH_SUBSHELL\" -gt 0 ] || { echo \"orleans-chat: start-up failed at line $LINENO\" >&2; signal FAILURE; }' ERR", script, StringComparison.Ordinal);
        // The trap comes before the first command that can fail (the IMDS reads).
        Assert.True(script.IndexOf("' ERR", StringComparison.Ordinal) < script.IndexOf("TOKEN=$(curl", StringComparison.Ordinal));
        var ready = script.IndexOf("http://127.0.0.1:3000/ready", StringComparison.Ordinal);
        Assert.True(ready > script.IndexOf("\"$IMAGE\" webfront", StringComparison.Ordinal));
        Assert.True(script.IndexOf("signal SUCCESS", StringComparison.Ordinal) > ready);
    }

    [Fact]
    public void ItIsValidBash() => UserData.AssertValidBash(Script(deployments.Default));

    private static string Script(Deployment deployment) => UserData.Of(deployment);
}
