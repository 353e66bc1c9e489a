using System.Text.Json.Nodes;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class OnlyTheLoadBalancerFacesTheInternet(Deployments deployments)
{
    public static TheoryData<string> Both => ["Default", "Custom"];

    [Theory]
    [MemberData(nameof(Both))]
    public void EveryIngressRuleIsGroupToGroupExceptTheListenerPorts(string name)
    {
        var deployment = Pick(name);
        var loadBalancerGroup = LoadBalancerGroupId(deployment);

        foreach (var (groupId, rule) in IngressRules(deployment))
        {
            if (rule["SourceSecurityGroupId"] is not null)
            {
                Assert.Null(rule["CidrIp"]);
                Assert.Null(rule["CidrIpv6"]);
                continue;
            }

            Assert.Equal(loadBalancerGroup, groupId);
            Assert.Equal("0.0.0.0/0", (string?)rule["CidrIp"]);
            Assert.Equal("tcp", (string?)rule["IpProtocol"]);
            Assert.Equal((int)rule["FromPort"]!, (int)rule["ToPort"]!);
            Assert.Contains((int)rule["FromPort"]!, new[] { 80, 443 });
        }
    }

    [Fact]
    public void TheInstancesAndRedisAdmitOnlyWhatOrleansChatNeeds()
    {
        var deployment = deployments.Default;
        var groups = TemplateJson.Resources(deployment.ServiceJson, "AWS::EC2::SecurityGroup")
            .ToDictionary(group => group.Id, group => GroupRole(group.Id));

        var rules = IngressRules(deployment)
            .Where(rule => rule.Rule["SourceSecurityGroupId"] is not null)
            .Select(rule => $"{groups[rule.GroupId]} <- {groups[SourceGroupId(rule.Rule)]} tcp {rule.Rule["FromPort"]}-{rule.Rule["ToPort"]}")
            .Order();

        Assert.Equal(
            [
                "Instances <- Instances tcp 11111-11111",
                "Instances <- Instances tcp 30000-30000",
                "Instances <- LoadBalancer tcp 3000-3000",
                "Redis <- Instances tcp 6379-6379",
            ],
            rules);
    }

    [Theory]
    [MemberData(nameof(Both))]
    public void NothingOpensPort22(string name)
    {
        var deployment = Pick(name);

        Assert.All(IngressRules(deployment), rule =>
            Assert.False(
                (string?)rule.Rule["IpProtocol"] == "-1" || ((int)rule.Rule["FromPort"]! <= 22 && 22 <= (int)rule.Rule["ToPort"]!),
                $"ingress {rule.Rule.ToJsonString()} reaches port 22"));
        var launchTemplate = TemplateJson.Properties(TemplateJson.Single(deployment.ServiceJson, "AWS::EC2::LaunchTemplate").Resource);
        Assert.Null(launchTemplate["LaunchTemplateData"]!["KeyName"]);
    }

    [Fact]
    public void TheNetworkStackOpensNothing()
    {
        Assert.Empty(TemplateJson.Resources(deployments.Default.NetworkJson, "AWS::EC2::SecurityGroupIngress"));
        Assert.Empty(TemplateJson.Resources(deployments.Default.NetworkJson, "AWS::EC2::SecurityGroup"));
        // The VPC's default security group loses its allow-all rules (a custom resource does it at deploy time).
        Assert.Single(TemplateJson.Resources(deployments.Default.NetworkJson, "Custom::VpcRestrictDefaultSG"));
    }

    [Fact]
    public void RedisAndTheLoadBalancerSendNothingButWhatTheyMust()
    {
        var loadBalancerEgress = TemplateJson.Resources(deployments.Default.ServiceJson, "AWS::EC2::SecurityGroupEgress")
            .Select(rule => TemplateJson.Properties(rule.Resource))
            .Where(rule => TemplateJson.Render(rule["GroupId"]).Contains("SecurityGroupsLoadBalancer", StringComparison.Ordinal))
            .Select(rule => (int)rule["FromPort"]!);

        Assert.Equal([3000], loadBalancerEgress);
        deployments.Default.Service.HasResourceProperties("AWS::EC2::SecurityGroup", new Dictionary<string, object>
        {
            ["GroupDescription"] = "OrleansChat Redis: from the instances only",
            // CDK's way of saying "no egress at all".
            ["SecurityGroupEgress"] = new object[] { new Dictionary<string, object> { ["CidrIp"] = "255.255.255.255/32", ["Description"] = "Disallow all traffic", ["FromPort"] = 252, ["IpProtocol"] = "icmp", ["ToPort"] = 86 } },
        });
    }

    private Deployment Pick(string name) => name == "Default" ? deployments.Default : deployments.Custom;

    // Inline rules of AWS::EC2::SecurityGroup and separate AWS::EC2::SecurityGroupIngress resources, with the id of
    // the group they open.
    private static IEnumerable<(string GroupId, JsonObject Rule)> IngressRules(Deployment deployment)
    {
        foreach (var (id, group) in TemplateJson.Resources(deployment.ServiceJson, "AWS::EC2::SecurityGroup"))
        {
            foreach (var rule in TemplateJson.Properties(group)["SecurityGroupIngress"]?.AsArray() ?? [])
            {
                yield return (id, rule!.AsObject());
            }
        }

        foreach (var (_, ingress) in TemplateJson.Resources(deployment.ServiceJson, "AWS::EC2::SecurityGroupIngress"))
        {
            var rule = TemplateJson.Properties(ingress);
            yield return ((string)rule["GroupId"]!["Fn::GetAtt"]![0]!, rule);
        }
    }

    private static string SourceGroupId(JsonObject rule) => (string)rule["SourceSecurityGroupId"]!["Fn::GetAtt"]![0]!;

    private static string LoadBalancerGroupId(Deployment deployment) =>
        TemplateJson.Resources(deployment.ServiceJson, "AWS::EC2::SecurityGroup").Single(group => GroupRole(group.Id) == "LoadBalancer").Id;

    // Logical ids follow the construct tree: SecurityGroups/LoadBalancer -> SecurityGroupsLoadBalancerXXXXXXXX.
    private static string GroupRole(string logicalId) =>
        new[] { "LoadBalancer", "Instances", "Redis" }.Single(role => logicalId.StartsWith("SecurityGroups" + role, StringComparison.Ordinal));
}
