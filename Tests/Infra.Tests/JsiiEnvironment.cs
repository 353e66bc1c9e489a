namespace OrleansChat.Infra.Tests;

/// <summary>
/// The environment jsii (the C# to JavaScript bridge of the CDK) needs, set before its Node.js process starts. It
/// unpacks the CDK library into the temp folder (~66 MB a run) and never cleans up, so each run gets a temp folder of
/// its own inside the build output; folders of earlier runs are deleted here, and the project's VSTest target removes
/// the rest after the run (see Infra.Tests.csproj).
/// </summary>
internal static class JsiiEnvironment
{
    private static readonly Lazy<string> TempFolder = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Root => Path.Combine(AppContext.BaseDirectory, "jsii-tmp");

    /// <summary>Sets the environment once; call before the first CDK type is touched.</summary>
    public static void Ensure() => _ = TempFolder.Value;

    private static string Prepare()
    {
        var current = Path.Combine(Root, $"run-{Environment.ProcessId}");
        if (Directory.Exists(Root))
        {
            foreach (var earlier in Directory.EnumerateDirectories(Root).Where(path => path != current))
            {
                Directory.Delete(earlier, recursive: true);
            }
        }

        Directory.CreateDirectory(current);
        Environment.SetEnvironmentVariable("TMPDIR", current);
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        return current;
    }
}
