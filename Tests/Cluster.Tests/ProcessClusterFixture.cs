using System.Diagnostics;
using System.Globalization;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The local cluster as real processes, started by scripts/cluster.sh (the same script users run): redis-server,
/// 2 silos, 2 WebFronts and nginx, on free loopback ports, with state and logs under the test output folder. The
/// WebFronts run in one relay feed scope (<c>Chat:Relay:FeedScope</c>) over one kind of stream queue
/// (<c>Orleans:StreamQueues</c>): the cluster tests run once per pair. In the <c>cohosted</c> topology there are no
/// separate silos: each WebFront hosts a silo of the cluster (<c>Orleans:HostSilo</c>).
/// </summary>
public abstract class ProcessClusterFixture(string feedScope, string streamQueues, string topology = "tiers", string source = "Subscription") : IAsyncLifetime
{
    private readonly Dictionary<string, string> _environment = [];

    public Uri LoadBalancer { get; private set; } = null!;

    public Uri SocketUri => new UriBuilder(LoadBalancer) { Scheme = "ws", Path = "/ws" }.Uri;

    public string FeedScope { get; } = feedScope;

    public string Topology { get; } = topology;

    /// <summary>The processes that host silos: killing one of them takes rooms' activations with it.</summary>
    public IReadOnlyList<string> SiloProcesses => Topology == "cohosted" ? ["web1", "web2"] : ["silo1", "silo2"];

    /// <summary>Every Orleans process, in the order a rolling restart takes them.</summary>
    public IReadOnlyList<string> OrleansProcesses => Topology == "cohosted" ? ["web1", "web2"] : ["web1", "web2", "silo1", "silo2"];

    public int RedisPort => int.Parse(_environment["REDIS_PORT"], CultureInfo.InvariantCulture);

    public string StateDirectory { get; } = Path.Combine(
        AppContext.BaseDirectory, $"cluster-{topology}-{feedScope.ToLowerInvariant()}-{source.ToLowerInvariant()}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The socket endpoint of WebFront <paramref name="number"/> (1 or 2), bypassing the load balancer.</summary>
    public Uri WebFrontSocketUri(int number) => new("ws://127.0.0.1:" + _environment[$"WEB{number}_PORT"] + "/ws");

    public async Task InitializeAsync()
    {
        string[] ports = ["LB_PORT", "REDIS_PORT", "WEB1_PORT", "WEB2_PORT", "SILO1_PORT", "SILO2_PORT", "GATEWAY1_PORT", "GATEWAY2_PORT", "DASHBOARD1_PORT", "DASHBOARD2_PORT", "METRICS1_PORT", "METRICS2_PORT"];
        foreach (var port in ports)
        {
            _environment[port] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        }

        _environment["CLUSTER_DIR"] = StateDirectory;
        _environment["CLUSTER_ID"] = "test-" + Guid.NewGuid().ToString("N")[..8];
        _environment["NO_BUILD"] = "1";
        _environment["Chat__Relay__FeedScope"] = FeedScope;
        _environment["Chat__Relay__Source"] = source;
        _environment["Orleans__StreamQueues"] = streamQueues;
        _environment["TOPOLOGY"] = Topology;
        // The tests make many rooms from one address (127.0.0.1); the cap on new rooms is tested on its own.
        _environment["Chat__Limits__NewRoomsPerMinutePerAddress"] = "0";
        _environment["Chat__Socket__MaxConnectionsPerAddress"] = "0";
        _environment["Chat__Limits__MaxParticipantsPerRoomPerAddress"] = "0";
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

    /// <summary>
    /// The log lines (from every process of the cluster, each line with the process's name) that mention any of
    /// <paramref name="terms"/>, with the warnings and errors around them: what a failed test prints to be diagnosed.
    /// </summary>
    public string LogLinesAbout(params string?[] terms)
    {
        var wanted = terms.Where(t => !string.IsNullOrEmpty(t)).Cast<string>().ToArray();
        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(StateDirectory, "logs"), "*.log").Order())
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name is "build" or "redis" or "lb")
            {
                continue;
            }

            // Console log entries are a header line ("info: Category[id]") and an indented message line.
            var all = File.ReadAllLines(file);
            for (var i = 0; i < all.Length; i++)
            {
                if (wanted.Any(t => all[i].Contains(t, StringComparison.Ordinal)))
                {
                    var header = i > 0 && !all[i - 1].StartsWith(' ') ? all[i - 1].Trim() + " " : "";
                    lines.Add($"{name}: {header}{all[i].Trim()}");
                }
                else if (all[i].StartsWith("---- ", StringComparison.Ordinal))
                {
                    lines.Add($"{name}: {all[i]}");
                }
            }
        }

        const int MostLines = 400;
        return lines.Count <= MostLines
            ? string.Join('\n', lines)
            : string.Join('\n', lines.Take(MostLines / 2).Append($"... {lines.Count - MostLines} lines left out ...").Concat(lines.TakeLast(MostLines / 2)));
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

/// <summary>One stream subscription per (WebFront, room), stream queues read by waiting.</summary>
public sealed class ServerFeedProcessCluster() : ProcessClusterFixture("Server", "Waiting");

/// <summary>
/// The original shape: one stream subscription per socket over polled memory-stream queues, so both settings run
/// through every process-cluster test (kills, rolling restarts, a Redis restart).
/// </summary>
public sealed class ConnectionFeedProcessCluster() : ProcessClusterFixture("Connection", "Polled");

/// <summary>The defaults (one feed per room, fed by queue taps) in the co-hosted topology: redis, 2 WebFronts that each host a silo, nginx.</summary>
public sealed class CohostedProcessCluster() : ProcessClusterFixture("Server", "Waiting", "cohosted", "QueueTap");

/// <summary>The defaults: one feed per (WebFront, room) fed by the WebFronts' own reads of the stream queues (<c>Chat:Relay:Source=QueueTap</c>).</summary>
public sealed class QueueTapProcessCluster() : ProcessClusterFixture("Server", "Waiting", source: "QueueTap");

[CollectionDefinition(Name)]
public sealed class QueueTapProcessClusterCollection : ICollectionFixture<QueueTapProcessCluster>
{
    public const string Name = "Process cluster (redis, 2 silos, 2 WebFronts, nginx), one feed per room fed by queue taps";
}

[CollectionDefinition(Name)]
public sealed class CohostedProcessClusterCollection : ICollectionFixture<CohostedProcessCluster>
{
    public const string Name = "Process cluster (redis, 2 WebFronts hosting the silos, nginx), one feed per room";
}

[CollectionDefinition(Name)]
public sealed class ServerFeedProcessClusterCollection : ICollectionFixture<ServerFeedProcessCluster>
{
    public const string Name = "Process cluster (redis, 2 silos, 2 WebFronts, nginx), one feed per room";
}

[CollectionDefinition(Name)]
public sealed class ConnectionFeedProcessClusterCollection : ICollectionFixture<ConnectionFeedProcessCluster>
{
    public const string Name = "Process cluster (redis, 2 silos, 2 WebFronts, nginx), one feed per socket";
}
