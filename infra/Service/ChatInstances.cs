using Amazon.CDK;
using Amazon.CDK.AWS.AutoScaling;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using OrleansChat.Infra.Checks;
using OrleansChat.Infra.Settings;
using AsgHealthCheck = Amazon.CDK.AWS.AutoScaling.HealthCheck;
using BlockDevice = Amazon.CDK.AWS.EC2.BlockDevice;
using BlockDeviceVolume = Amazon.CDK.AWS.EC2.BlockDeviceVolume;
using EbsDeviceOptions = Amazon.CDK.AWS.EC2.EbsDeviceOptions;
using EbsDeviceVolumeType = Amazon.CDK.AWS.EC2.EbsDeviceVolumeType;

namespace OrleansChat.Infra.Service;

/// <summary>
/// The Auto Scaling group: Amazon Linux 2023 instances in the private subnets, each running a silo and a WebFront from
/// the given image, or with <c>topology=cohosted</c> one WebFront that hosts the silo (see <see cref="StartupScript"/>). IMDSv2 only, an encrypted gp3 root volume, no key pair (SSM
/// Session Manager instead), pull rights on the image's repository alone, write rights on the container log group and
/// read rights on the Redis auth token. Burstable (t*) instances run with unlimited CPU credits, so a silo never misses
/// its 1 s membership probes for want of credits. A change of image or start-up script replaces the instances one at a
/// time, keeping the desired capacity in service; a termination lifecycle hook holds each retired instance until its
/// drain watcher (<see cref="DrainWatcher"/>) has drained the WebFront and stopped the silo.
/// </summary>
public sealed class ChatInstances : Construct
{
    /// <summary>How long CloudFormation waits for an instance's signal (install, pull, start, ready) before it fails.</summary>
    public static readonly Duration SignalTimeout = Duration.Minutes(15);

    /// <summary>How long a terminating instance may wait for its drain watcher before termination goes on anyway.</summary>
    public static readonly Duration DrainHookTimeout = Duration.Seconds(120);

    public ChatInstances(
        Construct scope, string id, IVpc vpc, ISecurityGroup securityGroup, DeploySettings settings, string redisConnectionString, ISecret redisAuthToken)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        ArgumentNullException.ThrowIfNull(securityGroup);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(redisAuthToken);

        LogGroup = new LogGroup(this, "ContainerLogs", new LogGroupProps
        {
            Retention = RetentionDays.TWO_WEEKS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        Role = new Role(this, "Role", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
            Description = "OrleansChat instances: SSM Session Manager, pull the OrleansChat image, write container logs, read the Redis token",
            ManagedPolicies = [ManagedPolicy.FromAwsManagedPolicyName("AmazonSSMManagedInstanceCore")],
        });
        var repository = Repository.FromRepositoryAttributes(this, "Repository", new RepositoryAttributes
        {
            RepositoryArn = settings.Image.RepositoryArn,
            RepositoryName = settings.Image.RepositoryName,
        });
        repository.GrantPull(Role);
        LogGroup.GrantWrite(Role);
        redisAuthToken.GrantRead(Role);
        NagFindings.Acknowledge(Role, new AcknowledgedFinding(
            "AwsSolutions-IAM4",
            "AmazonSSMManagedInstanceCore is AWS's policy for Session Manager, the only way onto the instances (no SSH); AWS keeps it in step with the agent.",
            "Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore"));

        var instanceType = new InstanceType(settings.InstanceType);
        var userData = UserData.ForLinux();
        var launchTemplate = new LaunchTemplate(this, "LaunchTemplate", new LaunchTemplateProps
        {
            MachineImage = MachineImage.LatestAmazonLinux2023(new AmazonLinux2023ImageSsmParameterProps
            {
                CpuType = instanceType.Architecture == InstanceArchitecture.ARM_64 ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64,
            }),
            InstanceType = instanceType,
            // t2/t3/t3a/t4g: never throttled to the baseline when credits run out (EC2 bills the surplus instead); other
            // instance types have no credits at all.
            CpuCredits = settings.IsBurstable ? CpuCredits.UNLIMITED : null,
            Role = Role,
            SecurityGroup = securityGroup,
            UserData = userData,
            RequireImdsv2 = true,
            HttpEndpoint = true,
            HttpTokens = LaunchTemplateHttpTokens.REQUIRED,
            // The containers use the host's network and need no instance credentials: one hop is enough.
            HttpPutResponseHopLimit = 1,
            BlockDevices =
            [
                new BlockDevice
                {
                    DeviceName = "/dev/xvda",
                    Volume = BlockDeviceVolume.Ebs(20, new EbsDeviceOptions
                    {
                        VolumeType = EbsDeviceVolumeType.GP3,
                        Encrypted = true,
                        DeleteOnTermination = true,
                    }),
                },
            ],
        });

        Group = new AutoScalingGroup(this, "Group", new AutoScalingGroupProps
        {
            Vpc = vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            LaunchTemplate = launchTemplate,
            MinCapacity = settings.MinCapacity,
            DesiredCapacity = settings.DesiredCapacity,
            MaxCapacity = settings.MaxCapacity,
            // The load balancer's health check (WebFront /ready) decides when an instance is replaced.
            HealthCheck = AsgHealthCheck.Elb(new ElbHealthCheckOptions { Grace = Duration.Minutes(10) }),
            // Creation and every rolling update wait for each new instance's "ready" signal from its start-up script.
            Signals = Signals.WaitForAll(new SignalsOptions { Timeout = SignalTimeout }),
            UpdatePolicy = UpdatePolicy.RollingUpdate(new RollingUpdateOptions
            {
                MaxBatchSize = 1,
                MinInstancesInService = settings.MinInstancesInService,
                WaitOnResourceSignals = true,
                PauseTime = SignalTimeout,
            }),
        });
        // The drain watcher completes this hook once the WebFront has drained and the silo has left the cluster.
        Group.AddLifecycleHook("Drain", new BasicLifecycleHookProps
        {
            LifecycleHookName = DrainWatcher.LifecycleHookName,
            LifecycleTransition = LifecycleTransition.INSTANCE_TERMINATING,
            HeartbeatTimeout = DrainHookTimeout,
            DefaultResult = DefaultResult.CONTINUE,
        });
        // A policy of its own: the role's default policy must exist before the launch template (and so before the group)
        // and could not name the group without a cycle.
        var drain = new Policy(this, "DrainPolicy", new PolicyProps
        {
            Roles = [Role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["autoscaling:CompleteLifecycleAction"],
                    Resources = [Group.AutoScalingGroupArn],
                }),
                // The watcher finds its group's name by its instance id (the user data cannot name the group it is in).
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["autoscaling:DescribeAutoScalingInstances"],
                    Resources = ["*"],
                }),
            ],
        });
        NagFindings.Acknowledge(drain, new AcknowledgedFinding(
            "AwsSolutions-IAM5",
            "autoscaling:DescribeAutoScalingInstances has no resource-level permissions and only reads; completing a lifecycle " +
            "action is limited to this group (its ARN has a '*' where Auto Scaling puts the group's id, unknown before it exists).",
            "Resource::*",
            "Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<InstancesGroupASG9A25D793>"));
        NagFindings.Acknowledge(Role.Node.FindChild("DefaultPolicy"), new AcknowledgedFinding(
            "AwsSolutions-IAM5",
            "ecr:GetAuthorizationToken has no resource-level permissions (it is account-wide by design); image pulls are limited to the one repository.",
            "Resource::*"));
        NagFindings.Acknowledge(Group, new AcknowledgedFinding(
            "AwsSolutions-AS3",
            "No SNS topic to notify: CloudFormation events and the group's activity history record every launch and termination."));
        // The capacity comes from context on purpose (no scaling policy): every deployment sets it.
        Annotations.Of(Group).AcknowledgeWarning(
            "@aws-cdk/aws-autoscaling:desiredCapacitySet",
            "desiredCapacity is a deployment setting (-c desiredCapacity=N); there is no scaling policy to fight it");

        var stack = Stack.Of(this);
        foreach (var line in StartupScript.Lines(new StartupScriptValues(
            ImageUri: settings.Image.Uri,
            Registry: settings.Image.Registry,
            RegistryRegion: settings.Image.Region,
            RedisConnectionString: redisConnectionString,
            RedisSecretArn: redisAuthToken.SecretArn,
            ClusterId: settings.ClusterId,
            ServiceId: settings.ServiceId,
            LogGroupName: LogGroup.LogGroupName,
            Region: stack.Region,
            StackName: stack.StackName,
            AutoScalingGroupLogicalId: stack.GetLogicalId((CfnAutoScalingGroup)Group.Node.DefaultChild!),
            VpcCidr: vpc.VpcCidrBlock,
            Cohosted: settings.Topology == InstanceTopology.Cohosted)))
        {
            userData.AddCommands(line);
        }
    }

    public AutoScalingGroup Group { get; }

    public IRole Role { get; }

    public LogGroup LogGroup { get; }
}
