using Amazon.CDK;
using Constructs;

namespace OrleansChat.Infra.Checks;

/// <summary>An AWS Solutions (cdk-nag) rule that a resource breaks on purpose, and why.</summary>
/// <param name="RuleId">The rule, e.g. <c>AwsSolutions-IAM5</c>.</param>
/// <param name="Reason">Why this resource is right as it is.</param>
/// <param name="AppliesTo">For granular rules, the findings acknowledged (e.g. <c>Resource::*</c>); empty for all.</param>
public sealed record AcknowledgedFinding(string RuleId, string Reason, params string[] AppliesTo);

/// <summary>
/// Writes acknowledged cdk-nag findings into the resource's template metadata (<c>cdk_nag.rules_to_suppress</c>, the
/// format cdk-nag reads), next to the code that makes the choice. <c>npm run nag</c> checks the synthesized templates
/// with the AWS Solutions rules and fails on any finding that is not acknowledged here.
/// </summary>
public static class NagFindings
{
    public static void Acknowledge(IConstruct construct, params AcknowledgedFinding[] findings)
    {
        ArgumentNullException.ThrowIfNull(construct);
        var resource = construct as CfnResource
            ?? construct.Node.DefaultChild as CfnResource
            ?? throw new ArgumentException($"{construct.Node.Path} is not a CloudFormation resource", nameof(construct));

        resource.AddMetadata("cdk_nag", new Dictionary<string, object>
        {
            ["rules_to_suppress"] = findings.Select(Render).ToArray(),
        });
    }

    private static Dictionary<string, object> Render(AcknowledgedFinding finding)
    {
        var rendered = new Dictionary<string, object> { ["id"] = finding.RuleId, ["reason"] = finding.Reason };
        if (finding.AppliesTo.Length > 0)
        {
            rendered["applies_to"] = finding.AppliesTo;
        }

        return rendered;
    }
}
