using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;
using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Service;

/// <summary>
/// OrleansChat itself, in the network of <see cref="Networking.NetworkingStack"/>: the security groups, Redis, the
/// instances (a silo and a WebFront each) and the load balancer, one construct each, and the outputs a user needs.
/// </summary>
public sealed class ServiceStack : Stack
{
    public ServiceStack(Construct scope, string id, IVpc vpc, DeploySettings settings, IStackProps? props = null)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(settings);

        var securityGroups = new ChatSecurityGroups(this, "SecurityGroups", vpc, settings.UsesHttps);
        var redis = new ChatRedis(this, "Redis", vpc, securityGroups.Redis, settings);
        var instances = new ChatInstances(this, "Instances", vpc, securityGroups.Instances, settings, redis.ConnectionString, redis.AuthToken);
        var loadBalancer = new ChatLoadBalancer(this, "LoadBalancer", vpc, securityGroups.LoadBalancer, instances.Group, settings);

        _ = new CfnOutput(this, "LoadBalancerUrl", new CfnOutputProps
        {
            Description = "Open this in a browser (with a certificate: your domain, pointed at this load balancer)",
            Value = loadBalancer.Url,
        });
        _ = new CfnOutput(this, "RedisEndpoint", new CfnOutputProps
        {
            Description = "ElastiCache Redis primary endpoint (TLS), reachable from the instances only",
            Value = $"{redis.Address}:{ChatPorts.Redis}",
        });
        _ = new CfnOutput(this, "AutoScalingGroupName", new CfnOutputProps
        {
            Description = "The instances: aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names <this>",
            Value = instances.Group.AutoScalingGroupName,
        });
        if (loadBalancer.AccessLogs is { } accessLogs)
        {
            _ = new CfnOutput(this, "AccessLogBucket", new CfnOutputProps
            {
                Description = "The load balancer's access logs (kept 90 days; the bucket stays after cdk destroy)",
                Value = accessLogs.BucketName,
            });
        }

        _ = new CfnOutput(this, "ContainerLogGroup", new CfnOutputProps
        {
            Description = "CloudWatch Logs of the containers (streams <instance-id>/silo and <instance-id>/webfront)",
            Value = instances.LogGroup.LogGroupName,
        });
    }
}
