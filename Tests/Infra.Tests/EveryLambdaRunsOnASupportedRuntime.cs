using System.Globalization;

namespace OrleansChat.Infra.Tests;

/// <summary>
/// AWS refuses to create a Lambda function on a deprecated runtime, and the CDK's own custom-resource handlers (the
/// one behind the VPC's RestrictDefaultSecurityGroup, the S3 auto-delete one, ...) get whatever runtime the CDK version
/// thought newest: nodejs20.x for 2.160, which made <c>OrleansChat-Network</c> roll back on its first deployment.
/// </summary>
[Collection(SynthesisCollection.Name)]
public sealed class EveryLambdaRunsOnASupportedRuntime(Deployments deployments)
{
    // Runtimes AWS Lambda still creates new functions on (Node.js 22+, Python 3.12+, Java 21+, .NET 8+, provided.al2023).
    private static readonly string[] OtherSupportedRuntimes =
        ["python3.12", "python3.13", "python3.14", "java21", "java25", "dotnet8", "dotnet10", "provided.al2023", "ruby3.4"];

    [Fact]
    public void NoFunctionInAnyStackIsOlderThanNode22()
    {
        var functions = new[] { deployments.Default, deployments.Custom }
            .SelectMany(deployment => new[] { deployment.NetworkJson, deployment.ServiceJson })
            .SelectMany(template => TemplateJson.Resources(template, "AWS::Lambda::Function"))
            .ToList();

        // The network stack's default-security-group handler at least: a check over no function would prove nothing.
        Assert.NotEmpty(functions);
        Assert.All(functions, function =>
        {
            var runtime = (string?)TemplateJson.Properties(function.Resource)["Runtime"];
            Assert.True(IsSupported(runtime), $"{function.Id} runs on {runtime ?? "no runtime"}, which AWS Lambda no longer creates");
        });
    }

    [Fact]
    public void TheDefaultSecurityGroupHandlerIsMovedOffNode20()
    {
        var handler = Assert.Single(
            TemplateJson.Resources(deployments.Default.NetworkJson, "AWS::Lambda::Function"),
            function => function.Id.StartsWith("CustomVpcRestrictDefaultSG", StringComparison.Ordinal));

        Assert.Equal("nodejs22.x", (string?)TemplateJson.Properties(handler.Resource)["Runtime"]);
    }

    [Theory]
    [InlineData("nodejs20.x", false)]
    [InlineData("nodejs18.x", false)]
    [InlineData("nodejs8.10", false)]
    [InlineData("nodejs", false)]
    [InlineData("python3.9", false)]
    [InlineData(null, false)]
    [InlineData("nodejs22.x", true)]
    [InlineData("nodejs24.x", true)]
    [InlineData("python3.13", true)]
    public void TheCheckItselfTellsOldFromSupported(string? runtime, bool supported) =>
        Assert.Equal(supported, IsSupported(runtime));

    private static bool IsSupported(string? runtime)
    {
        if (runtime is null)
        {
            return false;
        }

        if (runtime.StartsWith("nodejs", StringComparison.Ordinal))
        {
            var version = runtime["nodejs".Length..];
            return version.EndsWith(".x", StringComparison.Ordinal)
                && int.TryParse(version[..^2], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
                && major >= 22;
        }

        return OtherSupportedRuntimes.Contains(runtime);
    }
}
