using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace OrleansChat.Infra.Tests;

/// <summary>One synthesized OrleansChat app: its two stacks' templates, as assertion targets and as plain JSON.</summary>
public sealed class Deployment
{
    public const string ImageUri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orleans-chat:3f2c1ab";
    public const string RepositoryArn = "arn:aws:ecr:eu-west-1:123456789012:repository/orleans-chat";
    public const string CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    private Deployment(ChatStacks stacks)
    {
        Stacks = stacks;
        Network = Template.FromStack(stacks.Networking);
        Service = Template.FromStack(stacks.Service);
        NetworkJson = TemplateJson.Parse(Network);
        ServiceJson = TemplateJson.Parse(Service);
    }

    public ChatStacks Stacks { get; }

    public Template Network { get; }

    public Template Service { get; }

    public JsonObject NetworkJson { get; }

    public JsonObject ServiceJson { get; }

    /// <summary>
    /// Synthesizes the app as <c>cdk synth</c> would with these <c>-c name=value</c> pairs. The process environment is
    /// never read: CONTAINER_IMAGE_URI comes from the context (or from <paramref name="environment"/>).
    /// </summary>
    public static Deployment Synthesize(IDictionary<string, string> context, Func<string, string?>? environment = null)
    {
        var app = NewApp(context);
        return new Deployment(ChatInfrastructure.Define(app, environment ?? NoEnvironment));
    }

    public static App NewApp(IDictionary<string, string> context)
    {
        JsiiEnvironment.Ensure();
        return new App(new AppProps { Context = context.ToDictionary(pair => pair.Key, pair => (object)pair.Value) });
    }

    public static string? NoEnvironment(string name) => null;
}
