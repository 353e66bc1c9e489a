using System.Diagnostics;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The architecture's promise, with real processes: clients on different WebFronts behind nginx chat live, and
/// the chat survives losing a silo, a WebFront, a rolling restart and a Redis restart without losing or
/// duplicating a committed message. Each test leaves every process running for the next.
/// </summary>
public abstract class ProcessClusterTests(ProcessClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ClientsThroughTheLoadBalancerLandOnDifferentWebFrontsAndStreamToEachOther()
    {
        var room = NewRoom();
        var (alice, bob) = await TwoClientsOnDifferentWebFrontsAsync(room);
        await using var _a = alice;
        await using var _b = bob;

        await alice.TypeAsync("hello from " + alice.Server);
        await bob.WaitUntilAsync(b => b.Drafts.GetValueOrDefault(alice.ConnectionId!) == "hello from " + alice.Server,
            TimeSpan.FromSeconds(10), "Alice's draft arrives");
        var id = await alice.CommitAsync("hello from " + alice.Server);
        await bob.WaitUntilAsync(b => b.Log.Contains(id), TimeSpan.FromSeconds(10), "Alice's commit arrives");
        await bob.WaitUntilAsync(b => !b.Drafts.ContainsKey(alice.ConnectionId!), TimeSpan.FromSeconds(10), "the draft is gone");

        await bob.TypeAsync("and back");
        await alice.WaitUntilAsync(a => a.Drafts.GetValueOrDefault(bob.ConnectionId!) == "and back", TimeSpan.FromSeconds(10), "Bob's draft arrives");
    }

    [Fact]
    public async Task KillingASiloLosesNoCommittedMessage()
    {
        var room = NewRoom();
        var (alice, bob) = await TwoClientsOnDifferentWebFrontsAsync(room);
        await using var _a = alice;
        await using var _b = bob;
        var sent = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await alice.CommitAsync("before " + i));
        }

        await bob.WaitUntilAsync(b => sent.All(b.Log.Contains), TimeSpan.FromSeconds(15), "the first messages arrive");

        var silo = cluster.SiloProcesses[0];
        await cluster.RunAsync("kill", silo);
        var killed = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await alice.CommitAsync("after " + i));
            await alice.TypeAsync("typing " + i);
        }

        await bob.WaitUntilAsync(b => sent.All(b.Log.Contains), Recovery, "every message arrives after the silo died");
        output.WriteLine($"All commits visible {killed.ElapsedMilliseconds} ms after kill -9 of {silo}; Bob saw {bob.GapsSeen} gaps.");
        await alice.WaitUntilAsync(a => a.PendingCommits == 0 && sent.All(a.Log.Contains), Recovery, "Alice's commits are all confirmed");

        AssertExactlyOnce(sent, bob.Log);
        AssertExactlyOnce(sent, alice.Log);
        await cluster.RunAsync("start", silo);
    }

    [Fact]
    public async Task KillingAWebFrontMovesItsClientsAndTheirGhostsLeave()
    {
        var room = NewRoom();
        var (alice, bob) = await TwoClientsOnDifferentWebFrontsAsync(room);
        await using var _a = alice;
        await using var _b = bob;
        var victim = alice.Server == "web1" ? alice : bob;
        var survivor = ReferenceEquals(victim, alice) ? bob : alice;
        var ghost = victim.ConnectionId!;
        await victim.TypeAsync("I was typing when my server died");
        await survivor.WaitUntilAsync(s => s.Drafts.ContainsKey(ghost), TimeSpan.FromSeconds(10), "the draft arrives");

        await cluster.RunAsync("kill", "web1");
        var killed = Stopwatch.StartNew();
        await victim.WaitUntilAsync(v => v.IsLive && v.Server == "web2", Recovery, "the client reconnects to the other WebFront");
        output.WriteLine($"Reconnected to web2 {killed.ElapsedMilliseconds} ms after kill -9 of web1.");

        // The dead WebFront cannot say goodbye: its participant and draft leave when the lease lapses.
        await survivor.WaitUntilAsync(s => !s.Participants.Contains(ghost) && !s.Drafts.ContainsKey(ghost), Recovery, "the ghost leaves");
        output.WriteLine($"Ghost gone {killed.ElapsedMilliseconds} ms after the kill.");

        // The moved client kept its draft and chats on.
        await survivor.WaitUntilAsync(s => s.Drafts.GetValueOrDefault(victim.ConnectionId!) == "I was typing when my server died",
            Recovery, "the kept draft is re-sent from the new connection");
        var id = await victim.CommitAsync("still here");
        await survivor.WaitUntilAsync(s => s.Log.Contains(id), TimeSpan.FromSeconds(15), "the commit arrives");
        await cluster.RunAsync("start", "web1");
    }

    [Fact]
    public async Task ARollingRestartUnderTypingClientsLosesNoCommittedMessage()
    {
        const int CommitsPerRestart = 20;
        var room = NewRoom();
        var (alice, bob) = await TwoClientsOnDifferentWebFrontsAsync(room);
        await using var _a = alice;
        await using var _b = bob;
        var sent = new List<string>();
        var texts = new Dictionary<string, string>();
        foreach (var process in cluster.OrleansProcesses)
        {
            using var typing = new CancellationTokenSource();
            var typist = Task.Run(async () =>
            {
                var n = 0;
                while (!typing.IsCancellationRequested)
                {
                    await alice.TypeAsync($"typing {process} {n++}");
                    if (n % 4 == 0 && n <= 4 * CommitsPerRestart)
                    {
                        // Fewer commits in all than a welcome's history (100), so a rejoin can show them all, however
                        // long a restart takes on a busy machine.
                        var id = await alice.CommitAsync($"during {process} {n}");
                        lock (sent)
                        {
                            sent.Add(id);
                            texts[id] = $"during {process} {n}";
                        }
                    }

                    await Task.Delay(100);
                }
            });

            await cluster.RunAsync("stop", process);
            await cluster.RunAsync("start", process);
            await typing.CancelAsync();
            await typist;
            output.WriteLine($"Restarted {process}; {sent.Count} messages sent so far.");
        }

        try
        {
            await bob.WaitUntilAsync(b => sent.All(b.Log.Contains), Recovery, "every message sent during the restarts arrives");
            await alice.WaitUntilAsync(a => a.PendingCommits == 0, Recovery, "Alice's commits are all confirmed");
        }
        catch (TimeoutException)
        {
            // What a failure on a busy CI machine needs to be understood afterwards: who lacks what, and the room's log.
            output.WriteLine($"Alice: {alice.Describe()}");
            output.WriteLine($"Bob: {bob.Describe()}");
            foreach (var id in sent.Where(id => !bob.Log.Contains(id)))
            {
                output.WriteLine($"Bob lacks {id} (\"{texts[id]}\"), Alice {(alice.Log.Contains(id) ? "has it" : "lacks it too")}.");
            }

            output.WriteLine(cluster.LogLinesAbout(room, alice.ConnectionId, bob.ConnectionId));
            throw;
        }

        AssertExactlyOnce(sent, bob.Log);
        AssertExactlyOnce(sent, alice.Log);
    }

    [Fact]
    public async Task RestartingRedisKeepsHistory()
    {
        var room = NewRoom();
        var alice = await cluster.ConnectAsync(room, "Alice");
        await using var _a = alice;
        var before = await alice.CommitAsync("persisted before the restart");
        await alice.WaitUntilAsync(a => a.Log.Contains(before), TimeSpan.FromSeconds(15), "the commit is confirmed");

        await cluster.RunAsync("stop", "redis");
        await cluster.RunAsync("start", "redis");

        var after = await alice.CommitAsync("sent after the restart");
        await alice.WaitUntilAsync(a => a.Log.Contains(after), Recovery, "the cluster works again");

        var carol = await cluster.ConnectAsync(room, "Carol");
        await using var _c = carol;
        Assert.Contains(before, carol.Log);
        Assert.Contains(after, carol.Log);
    }

    [Fact]
    public async Task EveryOrleansProcessRunsWithSocketCompletionsInline()
    {
        // The setting the benchmarks measured (docs/measurements.md, "Socket completions inline"): the runtime reads
        // it from the environment once, so what counts is what each process was started with.
        foreach (var name in cluster.OrleansProcesses)
        {
            var deadline = DateTime.UtcNow + Recovery; // an earlier test may be restarting it
            string[] environment;
            while (true)
            {
                try
                {
                    var pid = (await File.ReadAllTextAsync(Path.Combine(cluster.StateDirectory, name + ".pid"))).Trim();
                    environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
                    break;
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(250);
                }
            }

            Assert.Contains("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1", environment);
        }
    }

    [Fact]
    public async Task EveryOrleansProcessHoldsOneRedisConnection()
    {
        // A silo's membership, grain storages and history share one multiplexer, which opens no pub/sub socket; a
        // WebFront's Orleans client (tiers) has one too. Before, a silo held eight connections (four multiplexers, two
        // sockets each). Named per process (RedisConfiguration.ClientName), so a count is per process.
        var expected = cluster.Topology == "cohosted"
            ? new Dictionary<string, int> { ["silo"] = 2 }
            : new Dictionary<string, int> { ["silo"] = 2, ["client"] = 2 };
        Dictionary<string, int> perProcess = [];
        var deadline = DateTime.UtcNow + Recovery; // an earlier test may have restarted a process moments ago
        while (true)
        {
            var names = (await RedisCli.RunAsync(cluster.RedisPort, "CLIENT", "LIST"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ').FirstOrDefault(field => field.StartsWith("name=", StringComparison.Ordinal))?[5..] ?? "")
                .ToList();
            perProcess = names.Where(n => n.StartsWith("orleanschat-", StringComparison.Ordinal))
                .GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
            var roles = perProcess.Keys.GroupBy(n => n.Split('-')[1]).ToDictionary(g => g.Key, g => g.Count());
            var settled = roles.Count == expected.Count && expected.All(e => roles.GetValueOrDefault(e.Key) == e.Value);
            if ((settled && perProcess.Values.All(c => c == 1)) || DateTime.UtcNow > deadline)
            {
                output.WriteLine(string.Join('\n', names.Select(n => n.Length == 0 ? "(unnamed: redis-cli)" : n)));
                Assert.True(settled, $"expected processes {string.Join(", ", expected)}, found {string.Join(", ", perProcess.Keys)}");
                break;
            }

            await Task.Delay(250);
        }

        Assert.All(perProcess, p => Assert.True(p.Value == 1, $"{p.Key} holds {p.Value} Redis connections, not 1"));
    }

    private async Task<(ResilientChatClient First, ResilientChatClient Second)> TwoClientsOnDifferentWebFrontsAsync(string room)
    {
        var first = await cluster.ConnectAsync(room, "Alice");
        for (var attempt = 0; attempt < 6; attempt++)
        {
            var second = await cluster.ConnectAsync(room, "Bob");
            if (second.Server != first.Server)
            {
                await first.WaitUntilAsync(f => f.Participants.Contains(second.ConnectionId!), TimeSpan.FromSeconds(10), "Bob is seen");
                return (first, second);
            }

            await second.DisposeAsync();
        }

        throw new InvalidOperationException("nginx never sent two clients to different WebFronts");
    }

    private static void AssertExactlyOnce(IEnumerable<string> sent, IReadOnlyList<string> log)
    {
        foreach (var id in sent)
        {
            Assert.Equal(1, log.Count(l => l == id));
        }
    }

    private static string NewRoom() => "proc-" + Guid.NewGuid().ToString("N")[..10];
}

[Collection(ServerFeedProcessClusterCollection.Name)]
public sealed class ProcessClusterTestsWithOneFeedPerRoom(ServerFeedProcessCluster cluster, ITestOutputHelper output)
    : ProcessClusterTests(cluster, output);

[Collection(ConnectionFeedProcessClusterCollection.Name)]
public sealed class ProcessClusterTestsWithOneFeedPerSocket(ConnectionFeedProcessCluster cluster, ITestOutputHelper output)
    : ProcessClusterTests(cluster, output);

[Collection(CohostedProcessClusterCollection.Name)]
public sealed class ProcessClusterTestsCohosted(CohostedProcessCluster cluster, ITestOutputHelper output)
    : ProcessClusterTests(cluster, output);

[Collection(QueueTapProcessClusterCollection.Name)]
public sealed class ProcessClusterTestsWithQueueTaps(QueueTapProcessCluster cluster, ITestOutputHelper output)
    : ProcessClusterTests(cluster, output);
