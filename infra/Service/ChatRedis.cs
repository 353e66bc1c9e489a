using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElastiCache;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using OrleansChat.Infra.Checks;
using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Service;

/// <summary>
/// ElastiCache for Redis: Orleans membership, grain state (chat history) and stream pub-sub state. A replication group
/// of two nodes in different zones with automatic failover (Multi-AZ), encrypted at rest and in transit (TLS, hence
/// <c>ssl=true</c> in the connection string), in the private subnets, reachable from the instances only, and with an
/// AUTH token: a random secret in Secrets Manager, created by the stack, that CloudFormation hands to ElastiCache
/// through a dynamic reference (the template holds the reference, never the token) and the instances read with their
/// role at start.
/// </summary>
public sealed class ChatRedis : Construct
{
    public ChatRedis(Construct scope, string id, IVpc vpc, ISecurityGroup securityGroup, DeploySettings settings)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        ArgumentNullException.ThrowIfNull(securityGroup);
        ArgumentNullException.ThrowIfNull(settings);

        var subnets = new CfnSubnetGroup(this, "Subnets", new CfnSubnetGroupProps
        {
            Description = "OrleansChat Redis: the private subnets",
            SubnetIds = vpc.SelectSubnets(new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS }).SubnetIds,
        });

        // ElastiCache AUTH tokens: 16-128 printable characters without '@', '"' or '/'; letters and digits only here,
        // so the token needs no escaping anywhere (it ends up after password= in a StackExchange.Redis connection string).
        AuthToken = new Secret(this, "AuthToken", new SecretProps
        {
            Description = "OrleansChat: the ElastiCache Redis AUTH token (read by the instances at start)",
            GenerateSecretString = new SecretStringGenerator
            {
                PasswordLength = 64,
                ExcludePunctuation = true,
                IncludeSpace = false,
            },
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        NagFindings.Acknowledge(AuthToken, new AcknowledgedFinding(
            "AwsSolutions-SMG4",
            "Rotating an ElastiCache AUTH token takes modify-replication-group with the ROTATE strategy and a restart of every " +
            "container; DEPLOY.md describes doing it by hand. The token is reachable by the instance role alone."));

        ReplicationGroup = new CfnReplicationGroup(this, "ReplicationGroup", new CfnReplicationGroupProps
        {
            ReplicationGroupDescription = "OrleansChat: Orleans membership, grain state and stream pub-sub state",
            Engine = "redis",
            EngineVersion = "7.1",
            CacheNodeType = settings.RedisNodeType,
            NumCacheClusters = 2,
            AutomaticFailoverEnabled = true,
            MultiAzEnabled = true,
            AtRestEncryptionEnabled = true,
            TransitEncryptionEnabled = true,
            // A dynamic reference ({{resolve:secretsmanager:...}}): CloudFormation reads the secret while deploying.
            AuthToken = AuthToken.SecretValue.UnsafeUnwrap(),
            Port = ChatPorts.Redis,
            CacheSubnetGroupName = subnets.Ref,
            SecurityGroupIds = [securityGroup.SecurityGroupId],
            AutoMinorVersionUpgrade = true,
            // Daily snapshots kept a week: chat history lives here.
            SnapshotRetentionLimit = 7,
        });
        ReplicationGroup.AddDependency(subnets);
        NagFindings.Acknowledge(
            ReplicationGroup,
            new AcknowledgedFinding(
                "AwsSolutions-AEC5",
                "A non-default port hides nothing here: only the instances' security group may reach Redis, on this port alone."));
    }

    public CfnReplicationGroup ReplicationGroup { get; }

    /// <summary>The AUTH token's secret (a plain string, no JSON); the instances may read it.</summary>
    public Secret AuthToken { get; }

    /// <summary>The primary endpoint's host name; after a failover it points at the new primary.</summary>
    public string Address => ReplicationGroup.AttrPrimaryEndPointAddress;

    /// <summary>
    /// The StackExchange.Redis connection string, without the password: the start-up script appends
    /// <c>,password=</c> and the token, read from <see cref="AuthToken"/>, for <c>ConnectionStrings__Redis</c>.
    /// </summary>
    public string ConnectionString => $"{Address}:{ChatPorts.Redis},ssl=true,abortConnect=false";
}
