using Amazon.CDK.Assertions;

namespace OrleansChat.Infra.Tests;

/// <summary>With a certificate: access logs to an encrypted, expiring bucket, and HSTS on the HTTPS listener.</summary>
[Collection(SynthesisCollection.Name)]
public sealed class TheLoadBalancerLogsAndPinsHttps(Deployments deployments)
{
    private const string LoadBalancer = "AWS::ElasticLoadBalancingV2::LoadBalancer";

    [Fact]
    public void WithACertificateAccessLogsGoToAnEncryptedBucketThatExpiresThem()
    {
        var (bucketId, bucket) = TemplateJson.Single(deployments.Custom.ServiceJson, "AWS::S3::Bucket");
        var properties = TemplateJson.Properties(bucket);

        Assert.Equal("AES256", (string?)properties["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]);
        Assert.True((bool)properties["PublicAccessBlockConfiguration"]!["BlockPublicAcls"]!);
        Assert.True((bool)properties["PublicAccessBlockConfiguration"]!["RestrictPublicBuckets"]!);
        var rule = Assert.Single(properties["LifecycleConfiguration"]!["Rules"]!.AsArray());
        Assert.Equal("Enabled", (string?)rule!["Status"]);
        Assert.Equal(90, (int)rule["ExpirationInDays"]!);

        Assert.Equal("true", Attribute(deployments.Custom, "access_logs.s3.enabled"));
        Assert.Equal($"{{Ref:{bucketId}}}", Attribute(deployments.Custom, "access_logs.s3.bucket"));
        Assert.Equal("alb", Attribute(deployments.Custom, "access_logs.s3.prefix"));
    }

    [Fact]
    public void LogDeliveryMayWriteOnlyUnderThePrefixAndPlainHttpIsDenied()
    {
        var (_, policy) = TemplateJson.Single(deployments.Custom.ServiceJson, "AWS::S3::BucketPolicy");
        var statements = TemplateJson.Properties(policy)["PolicyDocument"]!["Statement"]!.AsArray();
        var text = statements.ToJsonString();

        Assert.Equal(3, statements.Count);
        Assert.Contains("\"aws:SecureTransport\":\"false\"", text, StringComparison.Ordinal);
        Assert.Contains("logdelivery.elasticloadbalancing.amazonaws.com", text, StringComparison.Ordinal);
        // Older regions: their Elastic Load Balancing account, only where the CDK's table has one.
        Assert.Contains("\"Fn::If\"", text, StringComparison.Ordinal);
        Assert.Contains("\"Fn::FindInMap\"", text, StringComparison.Ordinal);
        Assert.Contains("/alb/AWSLogs/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"s3:*\",\"Effect\":\"Allow\"", text, StringComparison.Ordinal);
        var (balancerId, _) = TemplateJson.Single(deployments.Custom.ServiceJson, LoadBalancer);
        var (policyId, _) = TemplateJson.Single(deployments.Custom.ServiceJson, "AWS::S3::BucketPolicy");
        Assert.Contains(policyId, deployments.Custom.ServiceJson["Resources"]![balancerId]!["DependsOn"]!.AsArray().Select(node => (string?)node));
    }

    [Fact]
    public void WithACertificateTheHttpsListenerSendsHsts()
    {
        deployments.Custom.Service.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", new Dictionary<string, object>
        {
            ["Protocol"] = "HTTPS",
            ["ListenerAttributes"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["Key"] = "routing.http.response.strict_transport_security.header_value",
                    ["Value"] = "max-age=31536000",
                },
            },
        });
        deployments.Custom.Service.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", new Dictionary<string, object>
        {
            ["Protocol"] = "HTTP",
            ["ListenerAttributes"] = Match.Absent(),
        });
    }

    [Fact]
    public void WithoutACertificateNeitherIsOnUnlessAsked()
    {
        Assert.Empty(TemplateJson.Resources(deployments.Default.ServiceJson, "AWS::S3::Bucket"));
        Assert.Null(Attribute(deployments.Default, "access_logs.s3.enabled"));
        Assert.All(
            TemplateJson.Resources(deployments.Default.ServiceJson, "AWS::ElasticLoadBalancingV2::Listener"),
            listener => Assert.Null(TemplateJson.Properties(listener.Resource)["ListenerAttributes"]));

        var asked = Deployment.Synthesize(new Dictionary<string, string>
        {
            ["containerImageUri"] = Deployment.ImageUri,
            ["accessLogs"] = "true",
        });
        Assert.Single(TemplateJson.Resources(asked.ServiceJson, "AWS::S3::Bucket"));
        Assert.Equal("true", Attribute(asked, "access_logs.s3.enabled"));
    }

    [Fact]
    public void EitherCanBeTurnedOffWithACertificate()
    {
        var off = Deployment.Synthesize(new Dictionary<string, string>
        {
            ["containerImageUri"] = Deployment.ImageUri,
            ["certificateArn"] = Deployment.CertificateArn,
            ["accessLogs"] = "false",
            ["hsts"] = "false",
        });

        Assert.Empty(TemplateJson.Resources(off.ServiceJson, "AWS::S3::Bucket"));
        Assert.All(
            TemplateJson.Resources(off.ServiceJson, "AWS::ElasticLoadBalancingV2::Listener"),
            listener => Assert.Null(TemplateJson.Properties(listener.Resource)["ListenerAttributes"]));
    }

    private static string? Attribute(Deployment deployment, string key)
    {
        var (_, balancer) = TemplateJson.Single(deployment.ServiceJson, LoadBalancer);
        return TemplateJson.Properties(balancer)["LoadBalancerAttributes"]!.AsArray()
            .Where(attribute => (string?)attribute!["Key"] == key)
            .Select(attribute => TemplateJson.Render(attribute!["Value"]))
            .SingleOrDefault();
    }
}
