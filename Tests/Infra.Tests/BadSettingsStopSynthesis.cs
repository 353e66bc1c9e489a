using OrleansChat.Infra.Settings;

namespace OrleansChat.Infra.Tests;

[Collection(SynthesisCollection.Name)]
public sealed class BadSettingsStopSynthesis
{
    [Fact]
    public void AMissingImageUriFailsWithAMessageNamingTheVariable()
    {
        var app = Deployment.NewApp(new Dictionary<string, string>());

        var error = Assert.Throws<DeploySettingsException>(() => ChatInfrastructure.Define(app, Deployment.NoEnvironment));

        Assert.StartsWith("CONTAINER_IMAGE_URI is not set.", error.Message, StringComparison.Ordinal);
        Assert.Empty(app.Node.Children);
    }

    [Fact]
    public void TheEnvironmentVariableIsEnough()
    {
        var app = Deployment.NewApp(new Dictionary<string, string>());

        var settings = DeploySettings.From(app.Node, name => name == "CONTAINER_IMAGE_URI" ? Deployment.ImageUri : null);

        Assert.Equal(Deployment.ImageUri, settings.Image.Uri);
        Assert.Equal(Deployment.RepositoryArn, settings.Image.RepositoryArn);
    }

    [Fact]
    public void AnImageOutsideEcrIsRefused()
    {
        var app = Deployment.NewApp(new Dictionary<string, string> { ["containerImageUri"] = "docker.io/library/nginx:latest" });

        var error = Assert.Throws<DeploySettingsException>(() => ChatInfrastructure.Define(app, Deployment.NoEnvironment));

        Assert.Contains("CONTAINER_IMAGE_URI 'docker.io/library/nginx:latest' is not an Amazon ECR image URI", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("desiredCapacity", "1", "minCapacity <= desiredCapacity")]
    [InlineData("maxCapacity", "1", "desiredCapacity <= maxCapacity")]
    [InlineData("desiredCapacity", "two", "desiredCapacity must be a whole number")]
    [InlineData("natGateways", "3", "natGateways must be 1 or 2")]
    [InlineData("certificateArn", "my-cert", "certificateArn 'my-cert' is not an ACM certificate ARN")]
    [InlineData("clusterId", "a'b", "clusterId may hold letters, digits")]
    [InlineData("accessLogs", "yes", "accessLogs must be true or false")]
    [InlineData("hsts", "true", "hsts=true needs HTTPS")]
    [InlineData("topology", "single", "topology must be tiers (a silo and a WebFront per instance) or cohosted")]
    public void ABadContextValueIsNamed(string key, string value, string message)
    {
        var app = Deployment.NewApp(new Dictionary<string, string>
        {
            ["containerImageUri"] = Deployment.ImageUri,
            ["minCapacity"] = "2",
            [key] = value,
        });

        var error = Assert.Throws<DeploySettingsException>(() => DeploySettings.From(app.Node, Deployment.NoEnvironment));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
