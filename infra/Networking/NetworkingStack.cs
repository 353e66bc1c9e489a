using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Logs;
using Constructs;
using OrleansChat.Infra.Checks;
using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Networking;

/// <summary>
/// The network: a VPC across two availability zones with public subnets (the load balancer, the NAT gateways) and
/// private subnets with outbound access through NAT (the instances and Redis), VPC flow logs to CloudWatch Logs, a
/// default security group that allows nothing, and a free S3 gateway endpoint (image layers come from S3 without NAT).
/// </summary>
public sealed class NetworkingStack : Stack
{
    public const string PublicSubnetName = "Public";
    public const string PrivateSubnetName = "Private";

    public NetworkingStack(Construct scope, string id, DeploySettings settings, IStackProps? props = null)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var flowLogs = new LogGroup(this, "FlowLogs", new LogGroupProps
        {
            Retention = RetentionDays.TWO_WEEKS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr("10.42.0.0/16"),
            MaxAzs = 2,
            NatGateways = settings.NatGateways,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = PublicSubnetName, SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = PrivateSubnetName, SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 22 },
            ],
            RestrictDefaultSecurityGroup = true,
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
            },
            FlowLogs = new Dictionary<string, IFlowLogOptions>
            {
                ["FlowLogs"] = new FlowLogOptions
                {
                    Destination = FlowLogDestination.ToCloudWatchLogs(flowLogs),
                    TrafficType = FlowLogTrafficType.ALL,
                },
            },
        });

        // RestrictDefaultSecurityGroup works through a custom resource that the CDK adds to the stack.
        var provider = Node.FindChild("Custom::VpcRestrictDefaultSGCustomResourceProvider");
        NagFindings.Acknowledge(
            provider.Node.FindChild("Role"),
            new AcknowledgedFinding(
                "AwsSolutions-IAM4",
                "The CDK's own function that empties the default security group; the managed policy only lets it write its logs.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"));
        NagFindings.Acknowledge(
            provider.Node.FindChild("Handler"),
            new AcknowledgedFinding(
                "AwsSolutions-L1",
                "The CDK's own handler; SupportedLambdaRuntimes moves it to nodejs22.x, newer than this CDK version (and so cdk-nag's list) knows; it runs only while deploying."));
    }

    public IVpc Vpc { get; }
}
