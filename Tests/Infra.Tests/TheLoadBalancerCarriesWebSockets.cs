using System.Globalization;
using Amazon.CDK.Assertions;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheLoadBalancerCarriesWebSockets(Deployments deployments)
{
    private const string TargetGroup = "AWS::ElasticLoadBalancingV2::TargetGroup";
    private const string LoadBalancer = "AWS::ElasticLoadBalancingV2::LoadBalancer";

    [Fact]
    public void TheTargetGroupSendsTrafficAndHealthChecksToTheWebFrontsOnPort3000()
    {
        deployments.Default.Service.HasResourceProperties(TargetGroup, new Dictionary<string, object>
        {
            ["Port"] = 3000,
            ["Protocol"] = "HTTP",
            ["TargetType"] = "instance",
            // Readiness: a WebFront that reaches no silo (or is draining) gets no sockets.
            ["HealthCheckPath"] = "/ready",
            ["HealthCheckPort"] = Match.Absent(),
        });
    }

    [Fact]
    public void TheIdleTimeoutOutlastsTheServersKeepAlivePing()
    {
        var idle = int.Parse(Attribute(LoadBalancer, "LoadBalancerAttributes", "idle_timeout.timeout_seconds")!, CultureInfo.InvariantCulture);

        Assert.True(idle >= 300, $"idle timeout {idle} s: quiet sockets need far more than ALB's 60 s default");
        Assert.True(idle > 20 * 3, "the idle timeout must exceed the WebFront's 20 s keep-alive ping with room to spare");
    }

    [Fact]
    public void TargetsAreNotSticky()
    {
        var stickiness = Attribute(TargetGroup, "TargetGroupAttributes", "stickiness.enabled");

        Assert.True(stickiness is null or "false", $"stickiness.enabled is {stickiness}");
    }

    [Fact]
    public void DeregistrationWaitsAsLongAsTheWebFrontsDrainAndNoLonger()
    {
        Assert.Equal("30", Attribute(TargetGroup, "TargetGroupAttributes", "deregistration_delay.timeout_seconds"));
    }

    [Fact]
    public void InvalidHeaderFieldsAreDropped()
    {
        Assert.Equal("true", Attribute(LoadBalancer, "LoadBalancerAttributes", "routing.http.drop_invalid_header_fields.enabled"));
    }

    [Fact]
    public void ItIsInternetFacingInThePublicSubnets()
    {
        var (_, balancer) = TemplateJson.Single(deployments.Default.ServiceJson, LoadBalancer);
        var properties = TemplateJson.Properties(balancer);

        Assert.Equal("internet-facing", (string?)properties["Scheme"]);
        Assert.All(properties["Subnets"]!.AsArray(), subnet => Assert.Contains("PublicSubnet", TemplateJson.Render(subnet), StringComparison.Ordinal));
    }

    [Fact]
    public void MetricsAreNotServedToTheInternet()
    {
        deployments.Default.Service.HasResourceProperties("AWS::ElasticLoadBalancingV2::ListenerRule", new Dictionary<string, object>
        {
            ["Conditions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
            {
                ["PathPatternConfig"] = new Dictionary<string, object> { ["Values"] = Match.ArrayWith(["/metrics"]) },
            })]),
            ["Actions"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
            {
                ["Type"] = "fixed-response",
                ["FixedResponseConfig"] = Match.ObjectLike(new Dictionary<string, object> { ["StatusCode"] = "404" }),
            })]),
        });
    }

    private string? Attribute(string type, string property, string key)
    {
        var (_, resource) = TemplateJson.Single(deployments.Default.ServiceJson, type);
        return TemplateJson.Properties(resource)[property]!.AsArray()
            .Where(attribute => (string?)attribute!["Key"] == key)
            .Select(attribute => (string?)attribute!["Value"])
            .SingleOrDefault();
    }
}
