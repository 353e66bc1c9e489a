using System.Text.Json.Nodes;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class TheInstanceRoleHasLeastPrivilege(Deployments deployments)
{
    private static readonly string[] PullActions = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];

    [Fact]
    public void SessionManagerReplacesSsh()
    {
        var role = TemplateJson.Properties(TemplateJson.Single(deployments.Default.ServiceJson, "AWS::IAM::Role").Resource);

        var policy = Assert.Single(role["ManagedPolicyArns"]!.AsArray());
        Assert.EndsWith(":iam::aws:policy/AmazonSSMManagedInstanceCore", TemplateJson.Render(policy), StringComparison.Ordinal);
        Assert.Equal("ec2.amazonaws.com", (string?)role["AssumeRolePolicyDocument"]!["Statement"]![0]!["Principal"]!["Service"]);
    }

    [Fact]
    public void ImagesArePulledFromTheOneRepositoryOnly()
    {
        var statements = Statements().ToList();

        var pull = Assert.Single(statements, statement => Actions(statement).Intersect(PullActions).Any());
        Assert.Equal(PullActions.Order(), Actions(pull).Order());
        Assert.Equal(Deployment.RepositoryArn, TemplateJson.Render(pull["Resource"]));

        // The registry token is account-wide by nature (ECR has no per-repository token); it grants no image by itself.
        var token = Assert.Single(statements, statement => Actions(statement).Contains("ecr:GetAuthorizationToken"));
        Assert.Equal(["ecr:GetAuthorizationToken"], Actions(token));
        // So is finding the instance's group by its id (read-only): nothing else may apply to every resource.
        Assert.Equal(
            ["autoscaling:DescribeAutoScalingInstances", "ecr:GetAuthorizationToken"],
            statements.Where(statement => TemplateJson.Render(statement["Resource"]) == "*").SelectMany(Actions).Order());
    }

    [Fact]
    public void TheInstancesMayWriteTheirOwnLogGroupAndSignalTheirOwnStack()
    {
        var statements = Statements().ToList();

        var logs = Assert.Single(statements, statement => Actions(statement).Any(action => action.StartsWith("logs:", StringComparison.Ordinal)));
        Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], Actions(logs).Order());
        Assert.Contains("InstancesContainerLogs", TemplateJson.Render(logs["Resource"]), StringComparison.Ordinal);

        var signal = Assert.Single(statements, statement => Actions(statement).Contains("cloudformation:SignalResource"));
        Assert.Equal("{Ref:AWS::StackId}", TemplateJson.Render(signal["Resource"]));
        Assert.Equal(7, statements.Count);
    }

    [Fact]
    public void TheInstancesMayReadTheRedisTokenAndNoOtherSecret()
    {
        var (secret, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::SecretsManager::Secret");

        var read = Assert.Single(Statements(), statement => Actions(statement).Any(action => action.StartsWith("secretsmanager:", StringComparison.Ordinal)));
        Assert.Equal(["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], Actions(read).Order());
        Assert.Equal($"{{Ref:{secret}}}", TemplateJson.Render(read["Resource"]));
    }

    [Fact]
    public void TheDrainWatcherMayCompleteLifecycleActionsOfItsOwnGroupOnly()
    {
        var (group, _) = TemplateJson.Single(deployments.Default.ServiceJson, "AWS::AutoScaling::AutoScalingGroup");

        var complete = Assert.Single(Statements(), statement => Actions(statement).Contains("autoscaling:CompleteLifecycleAction"));
        Assert.Equal(["autoscaling:CompleteLifecycleAction"], Actions(complete));
        var resource = TemplateJson.Render(complete["Resource"]);
        Assert.StartsWith("arn:{Ref:AWS::Partition}:autoscaling:{Ref:AWS::Region}:{Ref:AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/", resource, StringComparison.Ordinal);
        Assert.EndsWith($"{{Ref:{group}}}", resource, StringComparison.Ordinal);
    }

    private IEnumerable<JsonObject> Statements() =>
        TemplateJson.Resources(deployments.Default.ServiceJson, "AWS::IAM::Policy")
            .Select(policy => TemplateJson.Properties(policy.Resource))
            .Where(policy => TemplateJson.Render(policy["Roles"]![0]).Contains("InstancesRole", StringComparison.Ordinal))
            .SelectMany(policy => policy["PolicyDocument"]!["Statement"]!.AsArray())
            .Select(statement => statement!.AsObject());

    private static string[] Actions(JsonObject statement) =>
        statement["Action"] is JsonArray actions ? actions.Select(action => (string)action!).ToArray() : [(string)statement["Action"]!];
}
