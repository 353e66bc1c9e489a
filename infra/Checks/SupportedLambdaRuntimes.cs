using System.Globalization;
using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace OrleansChat.Infra.Checks;

/// <summary>
/// Moves every Lambda function of the app onto a Node.js runtime AWS still lets us create. The CDK's own
/// custom-resource handlers (the one behind <c>RestrictDefaultSecurityGroup</c>, for example) get the runtime the CDK
/// version knew as the newest: <c>nodejs20.x</c> for Amazon.CDK.Lib 2.160, which AWS no longer accepts for new
/// functions, so the first <c>cdk deploy</c> of <c>OrleansChat-Network</c> would roll back. A newer Amazon.CDK.Lib
/// would pick a newer runtime, but none of 2.267–2.277 restores from this registry (they need Constructs 10.5+ and an
/// exact Amazon.CDK.Asset.AwsCliV1 version that it does not serve; see infra/README.md), so the runtime is set here.
/// The handlers use only the AWS SDK for JavaScript v3 that every Node.js 18+ runtime ships, so they run unchanged.
/// </summary>
public sealed class SupportedLambdaRuntimes : DeputyBase, IAspect
{
    /// <summary>The runtime every Node.js function gets: the oldest AWS still supports for new functions is 22.</summary>
    public const string NodeRuntime = "nodejs22.x";

    /// <summary>The oldest Node.js major version that AWS Lambda still creates functions for.</summary>
    public const int OldestSupportedNodeVersion = 22;

    public static void ApplyTo(IConstruct scope) => Aspects.Of(scope).Add(new SupportedLambdaRuntimes());

    /// <summary>True for a Node.js runtime name (<c>nodejs22.x</c>) older than <see cref="OldestSupportedNodeVersion"/>.</summary>
    public static bool IsOutdatedNode(string? runtime) =>
        runtime is not null
        && runtime.StartsWith("nodejs", StringComparison.Ordinal)
        && (!int.TryParse(runtime["nodejs".Length..].Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || major < OldestSupportedNodeVersion);

    public void Visit(IConstruct node)
    {
        switch (node)
        {
            // An L1 function (what lambda.Function and SingletonFunction define): its runtime can be read.
            case CfnFunction function when IsOutdatedNode(function.Runtime):
                function.Runtime = NodeRuntime;
                break;
            // The CDK's custom-resource providers are plain CfnResources of this type, always Node.js; their
            // properties cannot be read back from C#, so the runtime is overridden outright.
            case CfnResource resource when resource is not CfnFunction && resource.CfnResourceType == "AWS::Lambda::Function":
                resource.AddPropertyOverride("Runtime", NodeRuntime);
                break;
        }
    }
}
