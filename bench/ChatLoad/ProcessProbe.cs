using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>A process under test, by name (e.g. <c>web1</c>) and pid.</summary>
public sealed record ServerProcess(string Name, int Pid);

/// <summary>CPU time and memory of one process at one moment, read from <c>/proc</c>.</summary>
public readonly record struct ProcessSample(double CpuSeconds, long RssKb, long PeakRssKb, bool Alive, int Pid = 0);

/// <summary>
/// Reads <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, in clock ticks of USER_HZ = 100 on Linux) and
/// <c>/proc/&lt;pid&gt;/status</c> (VmRSS, VmHWM in kB). Cheap enough to call every second.
/// </summary>
public static class ProcessProbe
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc (100 on every Linux architecture .NET runs on).</summary>
    private const double TicksPerSecond = 100.0;

    public static ProcessSample Sample(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime is field 14, stime field 15.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = ParseKb(line);
                }
            }

            return new ProcessSample(ticks / TicksPerSecond, rss, hwm, true, pid);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return new ProcessSample(0, 0, 0, false, pid);
        }
    }

    public static ProcessSample Self() => Sample(Environment.ProcessId);

    /// <summary>CPU seconds the whole machine spent busy (all cores; /proc/stat user+nice+system+irq+softirq+steal).</summary>
    public static double MachineBusySeconds()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
            return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>The 1-minute load average (/proc/loadavg), or -1.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or ArgumentOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Processes of a <c>scripts/cluster.sh</c> state folder: every <c>NAME.pid</c> file in it
    /// (redis, silo1, silo2, web1, web2, lb), in a stable order.
    /// </summary>
    public static IReadOnlyList<ServerProcess> FromClusterDirectory(string directory)
    {
        var found = new List<ServerProcess>();
        foreach (var file in Directory.GetFiles(directory, "*.pid").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                found.Add(new ServerProcess(name, pid));
            }
        }

        return found;
    }

    private static long ParseKb(string line)
    {
        var span = line.AsSpan(line.IndexOf(':') + 1).Trim();
        var space = span.IndexOf(' ');
        return long.Parse(space < 0 ? span : span[..space], CultureInfo.InvariantCulture);
    }
}
