using System.Diagnostics;
using System.Globalization;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The local cluster as real processes, started by scripts/cluster.sh (the same script users run): redis-server,
/// 2 silos, 2 WebFronts and nginx, on free loopback ports, with state and logs under the test output folder.
/// </summary>
public sealed class ProcessClusterFixture : IAsyncLifetime
{
    private readonly Dictionary<string, string> _environment = [];

    public Uri LoadBalancer { get; private set; } = null!;

    public Uri SocketUri => new UriBuilder(LoadBalancer) { Scheme = "ws", Path = "/ws" }.Uri;

    public string StateDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "cluster-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    public async Task InitializeAsync()
    {
        string[] ports = ["LB_PORT", "REDIS_PORT", "WEB1_PORT", "WEB2_PORT", "SILO1_PORT", "SILO2_PORT", "GATEWAY1_PORT", "GATEWAY2_PORT", "DASHBOARD1_PORT", "DASHBOARD2_PORT"];
        foreach (var port in ports)
        {
            _environment[port] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        }

        _environment["CLUSTER_DIR"] = StateDirectory;
        _environment["CLUSTER_ID"] = "test-" + Guid.NewGuid().ToString("N")[..8];
        _environment["NO_BUILD"] = "1";
#if DEBUG
        _environment["CONFIGURATION"] = "Debug";
#else
        _environment["CONFIGURATION"] = "Release";
#endif
        LoadBalancer = new Uri("http://127.0.0.1:" + _environment["LB_PORT"]);
        await RunAsync("up");
    }

    public async Task DisposeAsync() => await RunAsync("down");

    /// <summary>Runs scripts/cluster.sh with this cluster's ports (e.g. "kill silo1", "start silo1").</summary>
    public async Task RunAsync(params string[] arguments)
    {
        var script = Path.Combine(WebFrontHost.RepositoryRoot(), "scripts", "cluster.sh");
        var start = new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    /// <summary>A client connected through the load balancer, started and live.</summary>
    public async Task<ResilientChatClient> ConnectAsync(string room, string name)
    {
        var client = new ResilientChatClient(SocketUri, room, name);
        client.Start();
        await client.WaitUntilAsync(c => c.IsLive, TimeSpan.FromSeconds(30), "it is live");
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class ProcessClusterCollection : ICollectionFixture<ProcessClusterFixture>
{
    public const string Name = "Process cluster (redis, 2 silos, 2 WebFronts, nginx)";
}
