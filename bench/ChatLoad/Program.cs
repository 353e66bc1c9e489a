using System.Globalization;
using System.Text.Json;
using OrleansChat.Bench;

// ChatLoad: the OrleansChat load generator. `ChatLoad run ...` runs one scenario and writes its JSON report;
// `ChatLoad summarize ...` merges reports into one JSON file and a markdown table. See bench/README.md.
try
{
    return args.FirstOrDefault() switch
    {
        "summarize" => Summarize(args[1..]),
        "run" => await RunAsync(args[1..]),
        null or "help" or "--help" or "-h" => Usage(0),
        _ when args[0].StartsWith("--", StringComparison.Ordinal) => await RunAsync(args),
        _ => Usage(2),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("ChatLoad: " + ex.Message);
    return 2;
}

static async Task<int> RunAsync(string[] args)
{
    var cli = Cli.Parse(args);
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };

    var log = (string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {cli.Options.Scenario}: {line}");
    log($"{CommitCostRun.Shape(cli.Options)} over {string.Join(", ", cli.Options.Endpoints.Select(e => e.Name))}; measuring {string.Join(", ", cli.Options.Processes.Select(p => $"{p.Name}({p.Pid})"))}");
    LoadReport report;
    if (cli.Options.CommitCost is not null)
    {
        report = await new CommitCostRun(cli.Options, log).RunAsync(stop.Token);
    }
    else
    {
        await using var run = new LoadRun(cli.Options, log);
        report = await run.RunAsync(stop.Token);
        log("closing connections");
    }

    var json = JsonSerializer.Serialize(report, ReportJsonContext.Default.LoadReport);
    if (cli.JsonPath is { } path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, json);
    }

    var markdown = MarkdownReport.Render([report]);
    if (cli.MarkdownPath is { } mdPath)
    {
        await File.WriteAllTextAsync(mdPath, markdown);
    }

    Console.WriteLine(markdown);
    var clean = report.Steps.All(s => s.Clean) && report.Connect.Failed == 0;
    return cli.FailOnLoss && !clean ? 1 : 0;
}

static int Summarize(string[] args)
{
    string? jsonOut = null, mdOut = null, title = null;
    var inputs = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--json": jsonOut = args[++i]; break;
            case "--markdown": mdOut = args[++i]; break;
            case "--title": title = args[++i]; break;
            default: inputs.Add(args[i]); break;
        }
    }

    var reports = inputs
        .SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*.json").Order(StringComparer.Ordinal) : (IEnumerable<string>)[p])
        .SelectMany(ReadReports)
        .ToList();
    var markdown = (title is null ? "" : "# " + title + "\n\n") + MarkdownReport.Render(reports);
    if (jsonOut is not null)
    {
        File.WriteAllText(jsonOut, JsonSerializer.Serialize(reports, ReportJsonContext.Default.ListLoadReport));
    }

    if (mdOut is not null)
    {
        File.WriteAllText(mdOut, markdown);
    }

    Console.WriteLine(markdown);
    return 0;
}

// A report file of `run --json` holds one report; a file of `summarize --json` (e.g. bench/results/*.json) holds a list.
static IEnumerable<LoadReport> ReadReports(string path)
{
    var text = File.ReadAllText(path);
    return text.TrimStart().StartsWith('[')
        ? JsonSerializer.Deserialize(text, ReportJsonContext.Default.ListLoadReport) ?? throw new ArgumentException($"{path} is not a list of reports")
        : [JsonSerializer.Deserialize(text, ReportJsonContext.Default.LoadReport) ?? throw new ArgumentException($"{path} is not a report")];
}

static int Usage(int code)
{
    Console.Error.WriteLine(Cli.Help);
    return code;
}

/// <summary>Command-line options of <c>ChatLoad run</c>.</summary>
internal sealed record Cli(LoadOptions Options, string? JsonPath, string? MarkdownPath, bool FailOnLoss)
{
    public const string Help = """
        ChatLoad run [options]          run one scenario against running WebFronts
        ChatLoad summarize [--json out.json] [--markdown out.md] [--title T] report.json|dir ...

          --url [name=]ws://host:port/ws   a WebFront socket (repeat; clients go round-robin); the name ties it to --pid
          --protocol P                     orleanschat (default), peer-ws (aspnet-ws, node-ws) or signalr (hub URL
                                           http://host:port/chat); see /work/shared/peers/README.md
          --rooms N                        rooms (default 1)
          --clients N                      clients per room (default 10)
          --typists N --rate R             typists per room and chunks/s per typist (default 2 and 10)
          --steps "TxR,TxR,..."            several load steps on the same connections (S5), e.g. "1x5,2x5,2x10"
          --commit-every T                 each typist commits this often (default 3s; 0 = never)
          --duration T --warmup T          measured time and warm-up per step (default 30s and 5s)
          --first-warmup T                 warm-up of the first step (fresh servers are still compiling; default --warmup)
          --drain T                        wait for late frames after a step (default 2s)
          --hold T                         with 0 typists: hold the connections this long, then sample memory (default 10s)
          --idle-sample T                  measure the servers' idle CPU for T before connecting (default 0 = skip)
          --connect-concurrency N          connections opened at once (default 32)
          --connect-rate R                 connections started per second (default 0 = no limit)
          --pid name=PID                   a server process to measure (repeat)
          --cluster-dir DIR                measure every DIR/NAME.pid of scripts/cluster.sh (except lb: not on the path)
          --stop-p99 MS                    stop stepping when p99 exceeds this (default 100)
          --commit-cost "NxC,NxC,..."      S8 instead of load steps: per variant a fresh room pre-filled with N
                                           messages of C characters, then --commits commits timed one at a time
                                           (default 10x120,500x120,10000x120,10x4000,500x4000,10000x4000)
          --commits N                      S8: measured commits per variant (default 200)
          --warmup-commits N               S8: commits in a throw-away room first (default 300)
          --commit-gap T                   S8: pause after each measured commit (default 10ms)
          --commit-timeout T               S8: a commit not back within this ends its phase (default 15s)
          --prefill-budget T               S8: longest pre-fill per variant; then measured at the history reached (default 90s)
          --measure-budget T               S8: longest measured phase per variant (default 30s)
          --redis host:port                the servers' Redis: S8 reads its INFO (bytes in, AOF, memory) around each
                                           phase, S7 samples its used_memory
          --reconnect                      clients reconnect like the browser (jittered backoff, rejoin, re-send the
                                           draft and unconfirmed commits; OrleansChat's protocol; S6, S7)
          --faults "F,F,..."               S6: inject these faults one after the other during the one load step:
                                           silo-kill, silo2-kill, web-kill, rolling, redis-restart (needs --cluster-script)
          --cluster-script PATH            scripts/cluster.sh, run with the environment of ChatLoad for each fault command
          --fault-settle T                 S6: quiet time before the first fault and after each (default 30s)
          --stall T                        S6: no chunk for this long = cut off (default 1s)
          --resource-interval T            S7: sample RSS, managed heap, threads, sockets (+ --redis memory) this often
          --timeline FILE                  write the run second by second (and faults, resource samples) for bench/Charts
          --scenario S --mode M --note T   labels for the report
          --round N                        which round of a repeated run (bench/run.sh ROUNDS; default 1)
          --json FILE --markdown FILE      where to write the report
          --fail-on-loss                   exit 1 if anything was lost, duplicated or reordered
        Times: 30 (seconds), 30s, 500ms, 2m.
        """;

    public static Cli Parse(string[] args)
    {
        var o = new LoadOptions();
        var endpoints = new List<Endpoint>();
        var processes = new List<ServerProcess>();
        int? typists = null;
        double? rate = null;
        string? json = null, markdown = null;
        var fail = false;
        var cost = new CommitCostOptions();
        var commitCost = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--url":
                    foreach (var url in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        var eq = url.IndexOf('=');
                        endpoints.Add(eq > 0
                            ? new Endpoint(url[..eq], new Uri(url[(eq + 1)..]))
                            : new Endpoint("web" + (endpoints.Count + 1).ToString(CultureInfo.InvariantCulture), new Uri(url)));
                    }

                    break;
                case "--protocol":
                    o = o with
                    {
                        Protocol = Next() switch
                        {
                            "orleanschat" => ChatProtocol.OrleansChat,
                            "peer-ws" => ChatProtocol.PeerWs,
                            "signalr" => ChatProtocol.SignalR,
                            var p => throw new ArgumentException($"unknown protocol '{p}' (orleanschat, peer-ws, signalr)"),
                        },
                    };
                    break;
                case "--rooms": o = o with { Rooms = Int(Next()) }; break;
                case "--clients": o = o with { ClientsPerRoom = Int(Next()) }; break;
                case "--typists": typists = Int(Next()); break;
                case "--rate": rate = Double(Next()); break;
                case "--steps":
                    o = o with
                    {
                        Steps = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                        {
                            var x = s.IndexOf('x');
                            return x > 0 ? new LoadStep(Int(s[..x]), Double(s[(x + 1)..])) : throw new ArgumentException($"step '{s}' is not TYPISTSxRATE");
                        })],
                    };
                    break;
                case "--commit-every": o = o with { CommitInterval = Time(Next()) }; break;
                case "--duration": o = o with { Duration = Time(Next()) }; break;
                case "--warmup": o = o with { Warmup = Time(Next()) }; break;
                case "--first-warmup": o = o with { FirstWarmup = Time(Next()) }; break;
                case "--drain": o = o with { Drain = Time(Next()) }; break;
                case "--hold": o = o with { Hold = Time(Next()) }; break;
                case "--idle-sample": o = o with { IdleSample = Time(Next()) }; break;
                case "--connect-concurrency": o = o with { ConnectConcurrency = Int(Next()) }; break;
                case "--connect-rate": o = o with { ConnectRate = Double(Next()) }; break;
                case "--pid":
                    {
                        var value = Next();
                        var eq = value.IndexOf('=');
                        processes.Add(eq > 0 ? new ServerProcess(value[..eq], Int(value[(eq + 1)..])) : new ServerProcess("pid" + value, Int(value)));
                        break;
                    }

                case "--cluster-dir":
                    {
                        var directory = Next();
                        processes.AddRange(ProcessProbe.FromClusterDirectory(directory).Where(p => p.Name != "lb"));
                        o = o with { ClusterDirectory = directory };
                        break;
                    }

                case "--reconnect": o = o with { Reconnect = true }; break;
                case "--faults":
                    o = o with { Faults = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(FaultSpec.Named)] };
                    break;
                case "--cluster-script":
                    {
                        var script = Path.GetFullPath(Next());
                        o = o with { RunFaultCommand = (command, token) => ClusterScript.RunAsync(script, command, token) };
                        break;
                    }

                case "--fault-settle": o = o with { FaultSettle = Time(Next()) }; break;
                case "--stall": o = o with { StallThreshold = Time(Next()) }; break;
                case "--resource-interval": o = o with { ResourceInterval = Time(Next()) }; break;
                case "--timeline": o = o with { TimelinePath = Next() }; break;
                case "--stop-p99": o = o with { StopP99Ms = Double(Next()) }; break;
                case "--commit-cost":
                    cost = cost with
                    {
                        Variants = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                        {
                            var x = s.IndexOf('x');
                            return x > 0 ? new CommitCostVariant(Int(s[..x]), Int(s[(x + 1)..])) : throw new ArgumentException($"variant '{s}' is not HISTORYxCHARS");
                        })],
                    };
                    commitCost = true;
                    break;
                case "--commits": cost = cost with { Commits = Int(Next()) }; break;
                case "--warmup-commits": cost = cost with { WarmupCommits = Int(Next()) }; break;
                case "--commit-gap": cost = cost with { Gap = Time(Next()) }; break;
                case "--commit-timeout": cost = cost with { CommitTimeout = Time(Next()) }; break;
                case "--prefill-budget": cost = cost with { PrefillBudget = Time(Next()) }; break;
                case "--measure-budget": cost = cost with { MeasureBudget = Time(Next()) }; break;
                case "--redis":
                    {
                        var redis = Next();
                        cost = cost with { Redis = redis };
                        o = o with { Redis = redis };
                        break;
                    }

                case "--scenario": o = o with { Scenario = Next() }; break;
                case "--mode": o = o with { Mode = Next() }; break;
                case "--round": o = o with { Round = Int(Next()) is var round and > 0 ? round : throw new ArgumentException("--round must be 1 or more") }; break;
                case "--note": o = o with { Note = Next() }; break;
                case "--seed": o = o with { Seed = Int(Next()) }; break;
                case "--room-prefix": o = o with { RoomPrefix = Next() }; break;
                case "--json": json = Next(); break;
                case "--markdown": markdown = Next(); break;
                case "--fail-on-loss": fail = true; break;
                default: throw new ArgumentException($"unknown option {args[i]}\n{Help}");
            }
        }

        if (endpoints.Count > 0)
        {
            o = o with { Endpoints = endpoints };
        }

        if (typists is not null || rate is not null)
        {
            var t = typists ?? o.Steps.FirstOrDefault()?.TypistsPerRoom ?? 1;
            o = o with { Steps = t == 0 ? [] : [new LoadStep(t, rate ?? o.Steps.FirstOrDefault()?.ChunksPerSecond ?? 10)] };
        }

        if (commitCost)
        {
            o = o with { CommitCost = cost };
        }

        if (o.Faults.Count > 0 && o.RunFaultCommand is null)
        {
            throw new ArgumentException("--faults needs --cluster-script (the faults are scripts/cluster.sh commands)");
        }

        return new Cli(o with { Processes = processes }, json, markdown, fail);
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static TimeSpan Time(string s) =>
        s.EndsWith("ms", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(Double(s[..^2]))
        : s.EndsWith('s') ? TimeSpan.FromSeconds(Double(s[..^1]))
        : s.EndsWith('m') ? TimeSpan.FromMinutes(Double(s[..^1]))
        : TimeSpan.FromSeconds(Double(s));
}
