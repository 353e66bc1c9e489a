namespace OrleansChat.Infra.Tests;

/// <summary>
/// Every test of this project runs in this one collection, one at a time: jsii is not thread-safe. Its fixture
/// synthesizes the two deployments most tests look at once (a synthesis takes a fraction of a second, but jsii's
/// start takes seconds).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SynthesisCollection : ICollectionFixture<Deployments>
{
    public const string Name = "CDK synthesis";
}

public sealed class Deployments
{
    /// <summary>The defaults: only the image is given. HTTP on 80, two instances, one NAT gateway.</summary>
    public Deployment Default { get; } = Deployment.Synthesize(new Dictionary<string, string>
    {
        ["containerImageUri"] = Deployment.ImageUri,
    });

    /// <summary>Everything a user may choose: a certificate (HTTPS), three instances, two NAT gateways, Graviton instances.</summary>
    public Deployment Custom { get; } = Deployment.Synthesize(new Dictionary<string, string>
    {
        ["containerImageUri"] = Deployment.ImageUri,
        ["certificateArn"] = Deployment.CertificateArn,
        ["desiredCapacity"] = "3",
        ["natGateways"] = "2",
        ["instanceType"] = "t4g.small",
    });

    /// <summary>The defaults, with one process per instance: a WebFront that hosts the instance's silo.</summary>
    public Deployment Cohosted { get; } = Deployment.Synthesize(new Dictionary<string, string>
    {
        ["containerImageUri"] = Deployment.ImageUri,
        ["topology"] = "cohosted",
    });
}
