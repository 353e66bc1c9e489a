using System.Globalization;
using Constructs;

namespace OrleansChat.Infra.Settings;

/// <summary>
/// Everything a deployment can choose, read once from CDK context (<c>-c name=value</c>) and the environment, validated
/// before any resource is defined so that a bad value stops synthesis with a message that names it.
/// </summary>
public sealed record DeploySettings
{
    /// <summary>The environment variable that names the image to run (context <c>containerImageUri</c> also works).</summary>
    public const string ImageUriVariable = "CONTAINER_IMAGE_URI";

    public const string ImageUriContext = "containerImageUri";
    public const string CertificateArnContext = "certificateArn";
    public const string MinCapacityContext = "minCapacity";
    public const string DesiredCapacityContext = "desiredCapacity";
    public const string MaxCapacityContext = "maxCapacity";
    public const string InstanceTypeContext = "instanceType";
    public const string RedisNodeTypeContext = "redisNodeType";
    public const string NatGatewaysContext = "natGateways";
    public const string ClusterIdContext = "clusterId";
    public const string AccessLogsContext = "accessLogs";
    public const string HstsContext = "hsts";
    public const string TopologyContext = "topology";

    public required ContainerImage Image { get; init; }

    /// <summary>An ACM certificate ARN: HTTPS on 443 and a redirect from 80. Without it the ALB serves HTTP on 80.</summary>
    public string? CertificateArn { get; init; }

    /// <summary>ALB access logs to an encrypted S3 bucket that expires them; on by default with a certificate.</summary>
    public bool AccessLogs { get; init; }

    /// <summary>Strict-Transport-Security on every HTTPS response (set by the ALB); on by default with a certificate, HTTPS only.</summary>
    public bool Hsts { get; init; }

    public int MinCapacity { get; init; } = 2;

    public int DesiredCapacity { get; init; } = 2;

    /// <summary>One above the desired capacity by default: the rolling update adds a new instance before it removes an old one.</summary>
    public int MaxCapacity { get; init; } = 3;

    /// <summary>
    /// What each instance runs: <see cref="InstanceTopology.Tiers"/> (the default) a silo and a WebFront, two .NET
    /// processes; <see cref="InstanceTopology.Cohosted"/> one WebFront that hosts the instance's silo.
    /// </summary>
    public InstanceTopology Topology { get; init; } = InstanceTopology.Tiers;

    /// <summary>Each instance runs a silo and a WebFront (two .NET processes): 2 GiB is the smallest comfortable size.</summary>
    public string InstanceType { get; init; } = "t3.small";

    public string RedisNodeType { get; init; } = "cache.t4g.micro";

    /// <summary>1 saves money; 2 keeps outbound traffic (image pulls, logs, SSM) working when one zone fails.</summary>
    public int NatGateways { get; init; } = 1;

    /// <summary>The Orleans cluster the silos form and the WebFronts join (<c>Orleans__ClusterId</c>).</summary>
    public string ClusterId { get; init; } = "orleans-chat";

    /// <summary>The Orleans service (<c>Orleans__ServiceId</c>): grain state in Redis is keyed by it, so it never changes.</summary>
    public string ServiceId { get; init; } = "orleans-chat";

    /// <summary>Instances kept in service during a rolling update: the desired capacity when the maximum leaves room for one more.</summary>
    public int MinInstancesInService => Math.Min(DesiredCapacity, MaxCapacity - 1);

    public bool UsesHttps => CertificateArn is not null;

    /// <summary>T-family instances (t2, t3, t3a, t4g) run on CPU credits: the launch template makes them unlimited.</summary>
    public bool IsBurstable => InstanceType.StartsWith('t');

    /// <summary>Reads the settings from the app's context and the given environment (tests pass their own).</summary>
    public static DeploySettings From(Node context, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(environment);

        var imageUri = Text(context, ImageUriContext) ?? NonEmpty(environment(ImageUriVariable));
        if (imageUri is null)
        {
            throw new DeploySettingsException(
                $"{ImageUriVariable} is not set. Push the OrleansChat image to Amazon ECR (see infra/DEPLOY.md), then " +
                $"run: {ImageUriVariable}=<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> npm run deploy " +
                $"(or pass -c {ImageUriContext}=<uri>).");
        }

        var minimum = Number(context, MinCapacityContext);
        var desired = Number(context, DesiredCapacityContext) ?? Math.Max(2, minimum ?? 2);
        var min = minimum ?? Math.Min(2, desired);
        var max = Number(context, MaxCapacityContext) ?? desired + 1;
        if (min < 1 || min > desired || desired > max)
        {
            throw new DeploySettingsException(
                $"Capacity must satisfy 1 <= {MinCapacityContext} <= {DesiredCapacityContext} <= {MaxCapacityContext}; " +
                $"got {min}, {desired}, {max}.");
        }

        var natGateways = Number(context, NatGatewaysContext) ?? 1;
        if (natGateways is < 1 or > 2)
        {
            throw new DeploySettingsException($"{NatGatewaysContext} must be 1 or 2 (the VPC has two zones); got {natGateways}.");
        }

        var certificateArn = Text(context, CertificateArnContext);
        if (certificateArn is not null
            && (!certificateArn.StartsWith("arn:", StringComparison.Ordinal) || !certificateArn.Contains(":acm:", StringComparison.Ordinal)))
        {
            throw new DeploySettingsException(
                $"{CertificateArnContext} '{certificateArn}' is not an ACM certificate ARN " +
                "(arn:aws:acm:<region>:<account>:certificate/<id>, in the stack's region).");
        }

        var https = certificateArn is not null;
        var hsts = Flag(context, HstsContext) ?? https;
        if (hsts && !https)
        {
            throw new DeploySettingsException($"{HstsContext}=true needs HTTPS: give {CertificateArnContext} too (HSTS is sent on HTTPS responses only).");
        }

        return new DeploySettings
        {
            Image = ContainerImage.Parse(imageUri),
            CertificateArn = certificateArn,
            AccessLogs = Flag(context, AccessLogsContext) ?? https,
            Hsts = hsts,
            MinCapacity = min,
            DesiredCapacity = desired,
            MaxCapacity = max,
            InstanceType = Text(context, InstanceTypeContext) ?? "t3.small",
            RedisNodeType = Text(context, RedisNodeTypeContext) ?? "cache.t4g.micro",
            NatGateways = natGateways,
            ClusterId = Identifier(context, ClusterIdContext) ?? "orleans-chat",
            Topology = Text(context, TopologyContext)?.ToLowerInvariant() switch
            {
                null or "tiers" => InstanceTopology.Tiers,
                "cohosted" => InstanceTopology.Cohosted,
                var other => throw new DeploySettingsException(
                    $"{TopologyContext} must be tiers (a silo and a WebFront per instance) or cohosted (a WebFront that hosts the silo); got '{other}'."),
            },
        };
    }

    private static string? Text(Node context, string key) =>
        NonEmpty(Convert.ToString(context.TryGetContext(key), CultureInfo.InvariantCulture));

    private static int? Number(Node context, string key)
    {
        var text = Text(context, key);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DeploySettingsException($"Context {key} must be a whole number; got '{text}'.");
    }

    private static bool? Flag(Node context, string key) => Text(context, key)?.ToLowerInvariant() switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var other => throw new DeploySettingsException($"Context {key} must be true or false; got '{other}'."),
    };

    // Goes into the instances' start-up script: letters, digits, '-', '_' and '.' only.
    private static string? Identifier(Node context, string key)
    {
        var text = Text(context, key);
        return text is null || text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? text
            : throw new DeploySettingsException($"Context {key} may hold letters, digits, '-', '_' and '.' only; got '{text}'.");
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The processes each instance runs.</summary>
public enum InstanceTopology
{
    /// <summary>A silo container and a WebFront container (the WebFront is a client of the cluster).</summary>
    Tiers,

    /// <summary>
    /// One WebFront container that is itself a silo of the cluster (<c>Orleans__HostSilo=true</c>): one process per
    /// instance, and a room's calls and events leave it only for members on other instances. Measured on the local
    /// process cluster (bench/results/ANALYSIS.md): at or better than the tiers on every figure.
    /// </summary>
    Cohosted,
}
