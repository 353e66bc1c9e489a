using System.Globalization;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// The S8 tables (<see cref="CommitCostRun"/>): one per report, one row per variant (history length × message size),
/// with the commit latency and the Redis bytes, AOF bytes and server CPU per commit, and a note for every phase that
/// was cut short (a budget spent, a commit timed out or refused).
/// </summary>
public static class CommitCostReport
{
    public static string Render(IReadOnlyList<LoadReport> reports)
    {
        var md = new StringBuilder();
        foreach (var r in reports.Where(r => r.CommitCost is not null))
        {
            var c = r.CommitCost!;
            md.AppendLine($"## {r.Scenario} commit cost by history length ({r.Mode})");
            md.AppendLine();
            if (!string.IsNullOrWhiteSpace(r.Note))
            {
                md.AppendLine($"Note: {r.Note}.");
                md.AppendLine();
            }

            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Per variant one socket joins a fresh room, pre-fills it with `history` committed messages of `message chars` characters " +
                $"(back to back, each awaited by its own `commit` event; at most {c.PrefillBudgetSeconds:0} s), then sends `commits` more one at a time " +
                $"({c.GapMs:0} ms apart; at most {c.MeasureBudgetSeconds:0} s), each timed from its send to its own `commit` event " +
                $"(a commit not back within {c.CommitTimeoutSeconds:0} s, or refused, ends the phase). {c.WarmupCommits} commits in a throw-away room went first. " +
                $"History is the number of messages in the room when the measured commits start; each of them adds one (up to the servers' `Chat:Limits:MaxHistory`). " +
                $"**Redis bytes in** is the growth of the cluster redis's `total_net_input_bytes` ({c.Redis ?? "not measured"}) over the measured commits: ") +
                "*all* traffic into Redis in that window (grain state writes, and also membership, stream pub-sub state, ...), less the idle rate " +
                "(`idle B/s`: the same counter right after, with the socket joined and nothing sent, for as long as the window, 3-10 s) × the window, ÷ commits; " +
                "`raw` is without that subtraction. **AOF bytes** is the growth of `aof_current_size` ÷ commits (– when Redis rewrote its AOF in the window). " +
                "Server CPU is every server process's CPU (silos, WebFronts, redis) over the window ÷ commits.");
            md.AppendLine();
            md.AppendLine("| history | message chars | pre-fill s | commits | p50 ms | p90 ms | p99 ms | max ms | Redis bytes in per commit | raw | idle B/s | AOF bytes per commit | Redis used_memory MB before → after | server CPU ms per commit | load avg |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|");
            var notes = new List<string>();
            foreach (var s in c.Variants)
            {
                var history = s.History == s.TargetHistory ? Number(s.History) : $"{Number(s.History)} of {Number(s.TargetHistory)} †";
                var commits = s.FailedCommits > 0 || s.MeasureStopped is not null ? $"{Number(s.Commits)} of {Number(c.CommitsPerVariant)} †" : Number(s.Commits);
                if (s.PrefillStopped is not null)
                {
                    notes.Add($"{s.Label} pre-fill stopped: {s.PrefillStopped}");
                }

                if (s.MeasureStopped is not null)
                {
                    notes.Add($"{s.Label} measured commits stopped: {s.MeasureStopped}");
                }

                if (s.Errors.Count > 0)
                {
                    notes.Add($"{s.Label} errors: {string.Join(" ", s.Errors.Select(e => $"{e.Key}={e.Value}"))}");
                }

                md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {history} | {Number(s.MessageChars)} | {s.PrefillSeconds:0.0} | {commits} | {s.Latency.P50} | {s.Latency.P90} | {s.Latency.P99} | {s.Latency.Max} | " +
                    $"{Number(s.RedisInputBytesPerCommit)} | {Number(s.RedisInputBytesPerCommitRaw)} | {Number(s.IdleInputBytesPerSecond)} | {Number(s.AofBytesPerCommit)} | " +
                    $"{Megabytes(s.RedisUsedMemoryBefore)} → {Megabytes(s.RedisUsedMemoryAfter)} | {s.ServerCpuMsPerCommit:0.00} | {s.LoadAverageStart:0.0}→{s.LoadAverageEnd:0.0} |"));
            }

            if (notes.Count > 0)
            {
                md.AppendLine();
                foreach (var note in notes)
                {
                    md.AppendLine("- † " + note);
                }
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Number(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    private static string Megabytes(long? bytes) => bytes is { } b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) : "–";
}
