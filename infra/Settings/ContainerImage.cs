using System.Text.RegularExpressions;

namespace OrleansChat.Infra.Settings;

/// <summary>
/// The OrleansChat image to run, an Amazon ECR image URI such as
/// <c>123456789012.dkr.ecr.eu-west-1.amazonaws.com/orleans-chat:3f2c1ab</c> (a tag or an <c>@sha256:</c> digest).
/// The instances may pull this one repository and no other, so the URI must name it.
/// </summary>
public sealed partial record ContainerImage(
    string Uri,
    string Registry,
    string Account,
    string Region,
    string Partition,
    string RepositoryName)
{
    /// <summary>The repository's ARN, the only resource the instances get pull rights on.</summary>
    public string RepositoryArn => $"arn:{Partition}:ecr:{Region}:{Account}:repository/{RepositoryName}";

    public static ContainerImage Parse(string uri)
    {
        var match = EcrImageUri().Match(uri.Trim());
        if (!match.Success)
        {
            throw new DeploySettingsException(
                $"{DeploySettings.ImageUriVariable} '{uri}' is not an Amazon ECR image URI. Expected " +
                "<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (or @sha256:<digest>), " +
                "the URI printed by 'aws ecr create-repository' plus the tag you pushed.");
        }

        var region = match.Groups["region"].Value;
        return new ContainerImage(
            uri.Trim(),
            match.Groups["registry"].Value,
            match.Groups["account"].Value,
            region,
            Partition: region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
                : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
                : "aws",
            match.Groups["repository"].Value);
    }

    // Registry host, repository path (lowercase segments separated by '/', as ECR allows), then a tag or a digest.
    [GeneratedRegex(
        @"^(?<registry>(?<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?)" +
        @"/(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)" +
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex EcrImageUri();
}
