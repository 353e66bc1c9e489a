using System.Diagnostics;

namespace OrleansChat.Infra.Tests;

/// <summary>
/// Runs a bash script with <c>curl</c>, <c>aws</c> and <c>docker</c> replaced by stubs on PATH: each stub appends its
/// command line to a calls file and answers like IMDS / the AWS CLI would (a fake instance, a fake token), or fails
/// when the test says so. Nothing leaves the machine.
/// </summary>
internal sealed class StubbedShell : IDisposable
{
    public const string InstanceId = "i-0123456789abcdef0";
    public const string PrivateIp = "10.42.8.15";
    public const string GroupName = "OrleansChat-Service-InstancesGroupASG-TEST";

    private const string CurlStub = """
        #!/bin/bash
        echo "curl $*" >>"$STUB_DIR/calls"
        url="${*: -1}"
        [ -n "${FAIL_IMDS:-}" ] && exit 22
        case "$url" in
          */latest/api/token) echo imds-session ;;
          */meta-data/local-ipv4) echo "$STUB_PRIVATE_IP" ;;
          */meta-data/instance-id) echo "$STUB_INSTANCE_ID" ;;
          */meta-data/autoscaling/target-lifecycle-state)
            n=$(( $(cat "$STUB_DIR/state-reads" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$STUB_DIR/state-reads"
            if [ "$n" -gt "${STUB_IN_SERVICE_READS:-0}" ]; then echo Terminated; else echo InService; fi ;;
          *) exit 22 ;;
        esac
        """;

    private const string AwsStub = """
        #!/bin/bash
        echo "aws $*" >>"$STUB_DIR/calls"
        case "$1 $2" in
          "secretsmanager get-secret-value") [ -n "${FAIL_SECRET:-}" ] && { echo "AccessDenied" >&2; exit 254; }; echo "$STUB_TOKEN" ;;
          "cloudformation signal-resource") ;;
          "autoscaling describe-auto-scaling-instances") echo "$STUB_GROUP" ;;
          "autoscaling complete-lifecycle-action")
            n=$(( $(cat "$STUB_DIR/completes" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$STUB_DIR/completes"
            # No lifecycle action until the deregistration delay is over: the first attempts fail, as on AWS.
            [ "$n" -gt "${STUB_COMPLETE_FAILURES:-0}" ] || { echo "No active Lifecycle Action found" >&2; exit 254; } ;;
          *) echo "unexpected aws call" >&2; exit 2 ;;
        esac
        """;

    private const string DockerStub = """
        #!/bin/bash
        echo "docker $*" >>"$STUB_DIR/calls"
        """;

    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public StubbedShell()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("orleans-chat-infra-").FullName;
        var bin = Path.Combine(Directory, "bin");
        System.IO.Directory.CreateDirectory(bin);
        foreach (var (name, text) in new[] { ("curl", CurlStub), ("aws", AwsStub), ("docker", DockerStub) })
        {
            var path = Path.Combine(bin, name);
            File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        _environment["STUB_DIR"] = Directory;
        _environment["STUB_INSTANCE_ID"] = InstanceId;
        _environment["STUB_PRIVATE_IP"] = PrivateIp;
        _environment["STUB_GROUP"] = GroupName;
        _environment["STUB_TOKEN"] = Token;
    }

    /// <summary>A scratch folder for the run (stubs, calls, anything the script writes).</summary>
    public string Directory { get; }

    /// <summary>The Redis auth token the stubbed Secrets Manager hands out.</summary>
    public string Token { get; } = "Tok" + Guid.NewGuid().ToString("N");

    /// <summary>Every stubbed command line, in order.</summary>
    public IReadOnlyList<string> Calls =>
        File.Exists(Path.Combine(Directory, "calls")) ? File.ReadAllLines(Path.Combine(Directory, "calls")) : [];

    /// <summary>
    /// A shell for the drain watcher: its region and hook, a fast poll, IMDS saying InService to the first
    /// <paramref name="inServiceReads"/> reads, and the first <paramref name="completeFailures"/> attempts to complete
    /// the lifecycle action failing.
    /// </summary>
    public static StubbedShell ForDrainWatcher(int inServiceReads, int completeFailures = 0) => new StubbedShell()
        .With("REGION", "eu-west-1")
        .With("LIFECYCLE_HOOK", Infra.Service.DrainWatcher.LifecycleHookName)
        .With("POLL_SECONDS", "0.01")
        .With("STUB_IN_SERVICE_READS", inServiceReads.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("STUB_COMPLETE_FAILURES", completeFailures.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public StubbedShell With(string name, string value)
    {
        _environment[name] = value;
        return this;
    }

    public (int ExitCode, string Output, string Errors) Run(string script)
    {
        var path = Path.Combine(Directory, "script.sh");
        File.WriteAllText(path, script);
        var start = new ProcessStartInfo("bash", [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{path} did not finish within 30 s");
        }

        return (process.ExitCode, output.Result, errors.Result);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
