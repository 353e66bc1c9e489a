using System.Text.Json.Nodes;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheVpcSpansTwoZones(Deployments deployments)
{
    [Fact]
    public void ItHasAPublicAndAPrivateSubnetInEachOfTwoZones()
    {
        var subnets = TemplateJson.Resources(deployments.Default.NetworkJson, "AWS::EC2::Subnet")
            .Select(subnet => TemplateJson.Properties(subnet.Resource))
            .ToList();

        Assert.Equal(4, subnets.Count);
        var publicSubnets = subnets.Where(subnet => (bool)subnet["MapPublicIpOnLaunch"]!).ToList();
        var privateSubnets = subnets.Where(subnet => !(bool)subnet["MapPublicIpOnLaunch"]!).ToList();
        Assert.Equal([0, 1], publicSubnets.Select(ZoneIndex).Order());
        Assert.Equal([0, 1], privateSubnets.Select(ZoneIndex).Order());
    }

    [Fact]
    public void PrivateSubnetsReachOutThroughNatAndPublicOnesThroughTheInternetGateway()
    {
        var routes = TemplateJson.Resources(deployments.Default.NetworkJson, "AWS::EC2::Route")
            .Select(route => TemplateJson.Properties(route.Resource))
            .ToList();

        Assert.Equal(2, routes.Count(route => route["NatGatewayId"] is not null));
        Assert.Equal(2, routes.Count(route => route["GatewayId"] is not null));
        Assert.All(routes, route => Assert.Equal("0.0.0.0/0", (string?)route["DestinationCidrBlock"]));
    }

    [Fact]
    public void OneNatGatewayByDefaultAndOnePerZoneWhenAsked()
    {
        deployments.Default.Network.ResourceCountIs("AWS::EC2::NatGateway", 1);
        deployments.Custom.Network.ResourceCountIs("AWS::EC2::NatGateway", 2);
    }

    [Fact]
    public void FlowLogsRecordAllTrafficInCloudWatchLogs()
    {
        deployments.Default.Network.HasResourceProperties("AWS::EC2::FlowLog", new Dictionary<string, object>
        {
            ["ResourceType"] = "VPC",
            ["TrafficType"] = "ALL",
            ["LogDestinationType"] = "cloud-watch-logs",
        });
        deployments.Default.Network.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object>
        {
            ["RetentionInDays"] = 14,
        });
    }

    private static int ZoneIndex(JsonObject subnet)
    {
        // Environment-agnostic stacks pick zones at deploy time: {"Fn::Select": [i, {"Fn::GetAZs": ""}]}.
        var select = subnet["AvailabilityZone"]!["Fn::Select"]!.AsArray();
        Assert.NotNull(select[1]!["Fn::GetAZs"]);
        return (int)select[0]!;
    }
}
