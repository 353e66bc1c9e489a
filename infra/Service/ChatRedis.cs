using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElastiCache;
using Constructs;
using OrleansChat.Infra.Checks;
using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Service;

/// <summary>
/// ElastiCache for Redis: Orleans membership, grain state (chat history) and stream pub-sub state. A replication group
/// of two nodes in different zones with automatic failover (Multi-AZ), encrypted at rest and in transit (TLS, hence
/// <c>ssl=true</c> in the connection string), in the private subnets, reachable from the instances only.
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
                "A non-default port hides nothing here: only the instances' security group may reach Redis, on this port alone."),
            new AcknowledgedFinding(
                "AwsSolutions-AEC6",
                "No AUTH token: Redis is reachable from the instances' security group only, over TLS; a token would need a secret " +
                "store and a way into the containers' configuration, for no gain against a peer that already runs the app."));
    }

    public CfnReplicationGroup ReplicationGroup { get; }

    /// <summary>The primary endpoint's host name; after a failover it points at the new primary.</summary>
    public string Address => ReplicationGroup.AttrPrimaryEndPointAddress;

    /// <summary>The StackExchange.Redis connection string the silos and WebFronts get as <c>ConnectionStrings__Redis</c>.</summary>
    public string ConnectionString => $"{Address}:{ChatPorts.Redis},ssl=true,abortConnect=false";
}
