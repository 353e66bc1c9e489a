using Amazon.CDK.AWS.EC2;
using Constructs;
using OrleansChat.Infra.Checks;

namespace OrleansChat.Infra.Service;

/// <summary>
/// Least-privilege security groups. Inward: the internet reaches the load balancer on 80 (and 443 with a certificate);
/// the load balancer reaches the WebFronts on 3000; instances reach each other on the silo and gateway ports; instances
/// reach Redis on 6379. Nothing else, not even SSH: operators use SSM Session Manager. Outward the instances reach HTTPS
/// (ECR, S3, SSM, CloudWatch Logs, CloudFormation, the Amazon Linux package repositories) and the ports above.
/// </summary>
public sealed class ChatSecurityGroups : Construct
{
    public ChatSecurityGroups(Construct scope, string id, IVpc vpc, bool https)
        : base(scope, id)
    {
        LoadBalancer = new SecurityGroup(this, "LoadBalancer", new SecurityGroupProps
        {
            Vpc = vpc,
            AllowAllOutbound = false,
            Description = "OrleansChat load balancer: HTTP(S) from the internet, out to the WebFronts only",
        });
        Instances = new SecurityGroup(this, "Instances", new SecurityGroupProps
        {
            Vpc = vpc,
            AllowAllOutbound = false,
            Description = "OrleansChat instances (a silo and a WebFront each): WebFront from the load balancer, Orleans between instances",
        });
        Redis = new SecurityGroup(this, "Redis", new SecurityGroupProps
        {
            Vpc = vpc,
            AllowAllOutbound = false,
            Description = "OrleansChat Redis: from the instances only",
        });

        NagFindings.Acknowledge(LoadBalancer, new AcknowledgedFinding(
            "AwsSolutions-EC23",
            "The internet-facing load balancer serves the chat to anyone: HTTP on 80 and, with a certificate, HTTPS on 443; nothing else."));
        LoadBalancer.AddIngressRule(Peer.AnyIpv4(), Port.Tcp(ChatPorts.Http), "HTTP from the internet");
        if (https)
        {
            LoadBalancer.AddIngressRule(Peer.AnyIpv4(), Port.Tcp(ChatPorts.Https), "HTTPS from the internet");
        }

        // Each AllowFrom adds the ingress rule and the matching egress rule on the other side.
        Instances.Connections.AllowFrom(LoadBalancer, Port.Tcp(ChatPorts.WebFront), "WebFront (HTTP, WebSockets, health checks) from the load balancer");
        Instances.Connections.AllowInternally(Port.Tcp(ChatPorts.Silo), "Silo to silo");
        Instances.Connections.AllowInternally(Port.Tcp(ChatPorts.Gateway), "WebFront (Orleans client) to silo gateways");
        Redis.Connections.AllowFrom(Instances, Port.Tcp(ChatPorts.Redis), "Redis (TLS) from the instances");
        Instances.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(ChatPorts.Https), "HTTPS to AWS APIs, ECR and the package repositories (through NAT)");
    }

    public SecurityGroup LoadBalancer { get; }

    public SecurityGroup Instances { get; }

    public SecurityGroup Redis { get; }
}
