namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class HttpsNeedsACertificate(Deployments deployments)
{
    private const string Listener = "AWS::ElasticLoadBalancingV2::Listener";

    [Fact]
    public void WithoutOnePort80ForwardsToTheWebFronts()
    {
        var listener = TemplateJson.Properties(TemplateJson.Single(deployments.Default.ServiceJson, Listener).Resource);
        var action = Assert.Single(listener["DefaultActions"]!.AsArray())!;

        Assert.Equal(80, (int)listener["Port"]!);
        Assert.Equal("HTTP", (string?)listener["Protocol"]);
        Assert.Equal("forward", (string?)action["Type"]);
        Assert.Contains("WebFronts", TemplateJson.Render(action["TargetGroupArn"]), StringComparison.Ordinal);
        Assert.DoesNotContain(Ingress(deployments.Default), port => port == 443);
    }

    [Fact]
    public void WithOne443ServesModernTlsAndPort80Redirects()
    {
        var listeners = TemplateJson.Resources(deployments.Custom.ServiceJson, Listener)
            .Select(listener => TemplateJson.Properties(listener.Resource))
            .ToDictionary(listener => (int)listener["Port"]!);

        Assert.Equal([80, 443], listeners.Keys.Order());
        var https = listeners[443];
        Assert.Equal("HTTPS", (string?)https["Protocol"]);
        Assert.Equal("ELBSecurityPolicy-TLS13-1-2-2021-06", (string?)https["SslPolicy"]);
        Assert.Equal(Deployment.CertificateArn, (string?)Assert.Single(https["Certificates"]!.AsArray())!["CertificateArn"]);
        Assert.Equal("forward", (string?)Assert.Single(https["DefaultActions"]!.AsArray())!["Type"]);

        var redirect = Assert.Single(listeners[80]["DefaultActions"]!.AsArray())!;
        Assert.Equal("redirect", (string?)redirect["Type"]);
        Assert.Equal("HTTPS", (string?)redirect["RedirectConfig"]!["Protocol"]);
        Assert.Equal("443", (string?)redirect["RedirectConfig"]!["Port"]);
        Assert.Equal("HTTP_301", (string?)redirect["RedirectConfig"]!["StatusCode"]);
        Assert.Equal([80, 443], Ingress(deployments.Custom).Order());
    }

    // The ports the internet may reach (inline CIDR rules of the load balancer's security group).
    private static IEnumerable<int> Ingress(Deployment deployment) =>
        TemplateJson.Resources(deployment.ServiceJson, "AWS::EC2::SecurityGroup")
            .SelectMany(group => TemplateJson.Properties(group.Resource)["SecurityGroupIngress"]?.AsArray() ?? [])
            .Select(rule => (int)rule!["FromPort"]!);
}
