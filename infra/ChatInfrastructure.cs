using Amazon.CDK;
using OrleansChat.Infra.Checks;
using OrleansChat.Infra.Networking;
using OrleansChat.Infra.Service;
using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra;

/// <summary>The two stacks of an OrleansChat deployment.</summary>
public sealed record ChatStacks(NetworkingStack Networking, ServiceStack Service);

/// <summary>
/// Defines the OrleansChat deployment in a CDK app: the settings first (a missing <c>CONTAINER_IMAGE_URI</c> stops
/// here, before anything is defined), then the network and the service. Program.cs and the tests both go through here.
/// </summary>
public static class ChatInfrastructure
{
    public const string NetworkingStackName = "OrleansChat-Network";
    public const string ServiceStackName = "OrleansChat-Service";

    public static ChatStacks Define(App app, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = DeploySettings.From(app.Node, environment);

        // Environment-agnostic stacks: the CLI's credentials choose the account and region at deploy time.
        var networking = new NetworkingStack(app, NetworkingStackName, settings, new StackProps
        {
            Description = "OrleansChat network: a two-zone VPC with public and private subnets, NAT and flow logs",
        });
        var service = new ServiceStack(app, ServiceStackName, networking.Vpc, settings, new StackProps
        {
            Description = "OrleansChat: ALB, Auto Scaling group of silo + WebFront instances, ElastiCache Redis",
        });
        Tags.Of(app).Add("Project", "OrleansChat");
        // The CDK's own Lambda-backed custom resources would otherwise get a runtime AWS no longer creates.
        SupportedLambdaRuntimes.ApplyTo(app);
        return new ChatStacks(networking, service);
    }
}
