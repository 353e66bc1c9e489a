using Amazon.CDK.Assertions;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class RedisIsEncryptedAndMultiAz(Deployments deployments)
{
    [Fact]
    public void ItIsEncryptedAtRestAndInTransit()
    {
        deployments.Default.Service.HasResourceProperties("AWS::ElastiCache::ReplicationGroup", new Dictionary<string, object>
        {
            ["AtRestEncryptionEnabled"] = true,
            ["TransitEncryptionEnabled"] = true,
            ["TransitEncryptionMode"] = Match.Absent(),
        });
    }

    [Fact]
    public void TwoNodesInDifferentZonesFailOverAutomatically()
    {
        deployments.Default.Service.HasResourceProperties("AWS::ElastiCache::ReplicationGroup", new Dictionary<string, object>
        {
            ["Engine"] = "redis",
            ["NumCacheClusters"] = 2,
            ["MultiAZEnabled"] = true,
            ["AutomaticFailoverEnabled"] = true,
            ["Port"] = 6379,
        });
    }

    [Fact]
    public void ItLivesInThePrivateSubnetsBehindItsOwnSecurityGroup()
    {
        var (subnetGroupId, subnetGroup) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElastiCache::SubnetGroup");
        var subnets = TemplateJson.Properties(subnetGroup)["SubnetIds"]!.AsArray();
        var redis = TemplateJson.Properties(TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElastiCache::ReplicationGroup").Resource);

        Assert.Equal(2, subnets.Count);
        Assert.All(subnets, subnet => Assert.Contains("PrivateSubnet", TemplateJson.Render(subnet), StringComparison.Ordinal));
        Assert.Equal($"{{Ref:{subnetGroupId}}}", TemplateJson.Render(redis["CacheSubnetGroupName"]));
        var group = Assert.Single(redis["SecurityGroupIds"]!.AsArray());
        Assert.StartsWith("{GetAtt:SecurityGroupsRedis", TemplateJson.Render(group), StringComparison.Ordinal);
    }

    [Fact]
    public void ItRequiresTheAuthTokenThatTheStackKeepsInSecretsManager()
    {
        var (secret, secretResource) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::SecretsManager::Secret");
        var redis = TemplateJson.Properties(TemplateJson.Single(deployments.Default.ServiceJson, "AWS::ElastiCache::ReplicationGroup").Resource);

        // A dynamic reference: CloudFormation reads the secret while deploying; the template never holds the token.
        Assert.Equal($"{{{{resolve:secretsmanager:{{Ref:{secret}}}:SecretString:::}}}}", TemplateJson.Render(redis["AuthToken"]));
        var generate = TemplateJson.Properties(secretResource)["GenerateSecretString"]!;
        Assert.True((int)generate["PasswordLength"]! is >= 16 and <= 128, "ElastiCache AUTH tokens are 16 to 128 characters");
        Assert.True((bool)generate["ExcludePunctuation"]!, "'@', '\"' and '/' are not allowed in AUTH tokens, and ',' would break the connection string");
        Assert.Null(TemplateJson.Properties(secretResource)["SecretString"]);
    }
}
