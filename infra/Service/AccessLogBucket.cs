using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.RegionInfo;
using Constructs;
using OrleansChat.Infra.Checks;

namespace OrleansChat.Infra.Service;

/// <summary>
/// The S3 bucket the load balancer writes its access logs to: SSE-S3 encryption (the only kind ALB log delivery
/// supports), no public access, TLS only, objects expire after <see cref="RetentionDays"/> days. The bucket outlives
/// <c>cdk destroy</c> (logs are evidence); DEPLOY.md says how to empty and delete it.
/// <para>
/// Who may write depends on the region, which these environment-agnostic stacks learn only at deploy time: regions
/// opened before August 2022 deliver from a regional Elastic Load Balancing account, newer ones through the
/// <c>logdelivery.elasticloadbalancing.amazonaws.com</c> service principal. The policy names the service principal
/// always and the account (from the CDK's table, through a mapping) when the region is in that table. The CDK's own
/// <c>LogAccessLogs</c> refuses environment-agnostic stacks, hence this construct.
/// </para>
/// </summary>
public sealed class AccessLogBucket : Construct
{
    public const int RetentionDays = 90;

    public const string Prefix = "alb";

    public AccessLogBucket(Construct scope, string id)
        : base(scope, id)
    {
        Bucket = new Bucket(this, "Bucket", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            Versioned = false,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "ExpireAccessLogs",
                    Expiration = Duration.Days(RetentionDays),
                    AbortIncompleteMultipartUploadAfter = Duration.Days(1),
                },
            ],
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        NagFindings.Acknowledge(Bucket, new AcknowledgedFinding(
            "AwsSolutions-S1",
            "This is the access-log bucket itself: logging its own accesses to another bucket would only move the question there."));

        var accounts = RegionInfo.RegionMap(FactName.ELBV2_ACCOUNT);
        var mapping = new CfnMapping(this, "ElbAccounts", new CfnMappingProps
        {
            Mapping = accounts.ToDictionary(
                pair => pair.Key,
                pair => (IDictionary<string, object>)new Dictionary<string, object> { ["account"] = pair.Value }),
        });
        // Fn::Or takes 2 to 10 conditions: the regions in groups of up to ten.
        var groups = accounts.Keys.Order(StringComparer.Ordinal).Chunk(10)
            .Select(group => group.Length == 1
                ? Fn.ConditionEquals(Aws.REGION, group[0])
                : Fn.ConditionOr(group.Select(region => (ICfnConditionExpression)Fn.ConditionEquals(Aws.REGION, region)).ToArray()))
            .ToArray();
        var accountRegion = new CfnCondition(this, "ElbAccountRegion", new CfnConditionProps
        {
            Expression = groups.Length == 1 ? groups[0] : Fn.ConditionOr(groups),
        });

        var objects = $"{Bucket.BucketArn}/{Prefix}/AWSLogs/{Aws.ACCOUNT_ID}/*";
        var policy = new CfnBucketPolicy(this, "Policy", new CfnBucketPolicyProps
        {
            Bucket = Bucket.BucketName,
            PolicyDocument = new Dictionary<string, object>
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Sid"] = "DenyPlainHttp",
                        ["Effect"] = "Deny",
                        ["Principal"] = new Dictionary<string, object> { ["AWS"] = "*" },
                        ["Action"] = "s3:*",
                        ["Resource"] = new object[] { Bucket.BucketArn, $"{Bucket.BucketArn}/*" },
                        ["Condition"] = new Dictionary<string, object>
                        {
                            ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" },
                        },
                    },
                    new Dictionary<string, object>
                    {
                        ["Sid"] = "LogDeliveryService",
                        ["Effect"] = "Allow",
                        ["Principal"] = new Dictionary<string, object> { ["Service"] = "logdelivery.elasticloadbalancing.amazonaws.com" },
                        ["Action"] = "s3:PutObject",
                        ["Resource"] = objects,
                    },
                    // Fn::If written out: jsii cannot pass the CDK's condition-expression object inside a plain dictionary.
                    new Dictionary<string, object>
                    {
                        ["Fn::If"] = new object[]
                        {
                            accountRegion.LogicalId,
                            new Dictionary<string, object>
                            {
                                ["Sid"] = "LogDeliveryAccount",
                                ["Effect"] = "Allow",
                                ["Principal"] = new Dictionary<string, object>
                                {
                                    ["AWS"] = $"arn:{Aws.PARTITION}:iam::{mapping.FindInMap(Aws.REGION, "account")}:root",
                                },
                                ["Action"] = "s3:PutObject",
                                ["Resource"] = objects,
                            },
                            Aws.NO_VALUE,
                        },
                    },
                },
            },
        });
        Policy = policy;
    }

    public Bucket Bucket { get; }

    /// <summary>The bucket policy: the load balancer must be created after it (log delivery is checked at once).</summary>
    public CfnBucketPolicy Policy { get; }
}
