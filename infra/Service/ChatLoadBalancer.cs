using Amazon.CDK;
using Amazon.CDK.AWS.AutoScaling;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Constructs;
using OrleansChat.Infra.Checks;
using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Service;

/// <summary>
/// The internet-facing Application Load Balancer in the public subnets, forwarding to the WebFronts on 3000.
/// WebSockets: the idle timeout is well above WebFront's 20 s keep-alive ping, so quiet sockets stay open; no
/// stickiness (an Orleans stream carries every event to whichever WebFront holds a socket); a deregistration delay that
/// matches WebFront's graceful drain. With a certificate: HTTPS on 443 with a TLS 1.3/1.2 policy and 80 redirecting to it.
/// </summary>
public sealed class ChatLoadBalancer : Construct
{
    /// <summary>Longer than any quiet spell of a live socket (WebFront pings every 20 s); ALB's default is 60 s.</summary>
    public static readonly Duration IdleTimeout = Duration.Seconds(300);

    /// <summary>A stopping WebFront tells its sockets to go away within seconds; 30 s covers it (ALB's default is 300 s).</summary>
    public static readonly Duration DeregistrationDelay = Duration.Seconds(30);

    /// <summary>
    /// Readiness, not liveness: a WebFront that cannot reach a silo (a new instance whose Orleans client has not
    /// connected yet, or a draining one) gets no sockets. <c>/healthz</c> only says the process answers.
    /// </summary>
    public const string HealthCheckPath = "/ready";

    public ChatLoadBalancer(Construct scope, string id, IVpc vpc, ISecurityGroup securityGroup, AutoScalingGroup targets, DeploySettings settings)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(settings);

        LoadBalancer = new ApplicationLoadBalancer(this, "LoadBalancer", new ApplicationLoadBalancerProps
        {
            Vpc = vpc,
            InternetFacing = true,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PUBLIC },
            SecurityGroup = securityGroup,
            IdleTimeout = IdleTimeout,
            DropInvalidHeaderFields = true,
            DeletionProtection = false,
        });
        if (settings.AccessLogs)
        {
            var logs = new AccessLogBucket(this, "AccessLogs");
            LoadBalancer.SetAttribute("access_logs.s3.enabled", "true");
            LoadBalancer.SetAttribute("access_logs.s3.bucket", logs.Bucket.BucketName);
            LoadBalancer.SetAttribute("access_logs.s3.prefix", AccessLogBucket.Prefix);
            ((CfnResource)LoadBalancer.Node.DefaultChild!).AddDependency(logs.Policy);
            AccessLogs = logs.Bucket;
        }
        else
        {
            NagFindings.Acknowledge(LoadBalancer, new AcknowledgedFinding(
                "AwsSolutions-ELB2",
                "Access logs are off in this deployment (the default without a certificate; -c accessLogs=true turns them on). " +
                "The WebFronts' own logs are in CloudWatch Logs."));
        }

        TargetGroup = new ApplicationTargetGroup(this, "WebFronts", new ApplicationTargetGroupProps
        {
            Vpc = vpc,
            Port = ChatPorts.WebFront,
            Protocol = ApplicationProtocol.HTTP,
            TargetType = TargetType.INSTANCE,
            Targets = [targets],
            DeregistrationDelay = DeregistrationDelay,
            HealthCheck = new Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck
            {
                Path = HealthCheckPath,
                HealthyHttpCodes = "200",
                Interval = Duration.Seconds(10),
                Timeout = Duration.Seconds(5),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 3,
            },
        });

        // The security groups (ChatSecurityGroups) hold every rule: the listeners open nothing themselves.
        ApplicationListener entry;
        if (settings.CertificateArn is { } certificateArn)
        {
            entry = LoadBalancer.AddListener("Https", new BaseApplicationListenerProps
            {
                Port = ChatPorts.Https,
                Protocol = ApplicationProtocol.HTTPS,
                Certificates = [ListenerCertificate.FromArn(certificateArn)],
                SslPolicy = SslPolicy.RECOMMENDED_TLS,
                Open = false,
                DefaultTargetGroups = [TargetGroup],
            });
            if (settings.Hsts)
            {
                // The ALB adds the header to every HTTPS response (no includeSubDomains: other names of the domain
                // are not ours to pin). Listener attributes are newer than this CDK version's L2 listener.
                ((CfnListener)entry.Node.DefaultChild!).AddPropertyOverride("ListenerAttributes", new[]
                {
                    new Dictionary<string, object> { ["Key"] = HstsAttribute, ["Value"] = HstsHeader },
                });
            }
            LoadBalancer.AddListener("Http", new BaseApplicationListenerProps
            {
                Port = ChatPorts.Http,
                Protocol = ApplicationProtocol.HTTP,
                Open = false,
                DefaultAction = ListenerAction.Redirect(new RedirectOptions
                {
                    Protocol = "HTTPS",
                    Port = ChatPorts.Https.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Permanent = true,
                }),
            });
        }
        else
        {
            entry = LoadBalancer.AddListener("Http", new BaseApplicationListenerProps
            {
                Port = ChatPorts.Http,
                Protocol = ApplicationProtocol.HTTP,
                Open = false,
                DefaultTargetGroups = [TargetGroup],
            });
        }

        // WebFront's Prometheus endpoint is for operators inside the VPC, not for the internet.
        entry.AddAction("HideMetrics", new AddApplicationActionProps
        {
            Priority = 10,
            Conditions = [ListenerCondition.PathPatterns(["/metrics", "/metrics/*"])],
            Action = ListenerAction.FixedResponse(404, new FixedResponseOptions { ContentType = "text/plain", MessageBody = "Not found" }),
        });

        Url = $"{(settings.UsesHttps ? "https" : "http")}://{LoadBalancer.LoadBalancerDnsName}";
    }

    public const string HstsAttribute = "routing.http.response.strict_transport_security.header_value";

    /// <summary>A year; browsers then refuse plain HTTP for this host name.</summary>
    public const string HstsHeader = "max-age=31536000";

    public ApplicationLoadBalancer LoadBalancer { get; }

    /// <summary>The access-log bucket, when access logs are on.</summary>
    public Amazon.CDK.AWS.S3.IBucket? AccessLogs { get; }

    public ApplicationTargetGroup TargetGroup { get; }

    /// <summary>Where the chat is (with a certificate, point your domain's DNS at the load balancer and use that name).</summary>
    public string Url { get; }
}
