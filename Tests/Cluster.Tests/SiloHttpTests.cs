using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The silo host's HTTP port (health, the Orleans dashboard with grain state and live logs) is not reachable from
/// outside by accident: loopback by default, the dashboard elsewhere only behind a password, and port 0 is no listener.
/// Each test runs the real Silo executable (one localhost silo, no Redis).
/// </summary>
public sealed class SiloHttpTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ByDefaultTheDashboardListensOnLoopbackOnly()
    {
        var port = FreePort.Next();
        await using var silo = await SiloProcess.StartAsync(new() { ["Orleans__DashboardPort"] = Text(port) });
        using var http = new HttpClient();
        await WaitForAsync(() => http.GetAsync($"http://127.0.0.1:{port}/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/dashboard")).StatusCode);
        Assert.Contains(silo.ThreadNames(), name => name.StartsWith("OpenTelemetry", StringComparison.Ordinal));
        Assert.All(silo.ListeningEndpoints().Where(e => e.Port == port), e => Assert.True(IPAddress.IsLoopback(e.Address), $"listens on {e}"));
    }

    [Fact]
    public async Task OnAnyOtherAddressTheDashboardNeedsAPassword()
    {
        var port = FreePort.Next();
        await using var silo = await SiloProcess.StartAsync(new()
        {
            ["Orleans__DashboardPort"] = Text(port),
            ["Orleans__DashboardAddress"] = "0.0.0.0",
        });
        using var http = new HttpClient();
        await WaitForAsync(() => http.GetAsync($"http://127.0.0.1:{port}/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/dashboard/Trace")).StatusCode);
    }

    [Fact]
    public async Task WithAPasswordTheDashboardAsksForIt()
    {
        var port = FreePort.Next();
        const string password = "correct horse battery";
        await using var silo = await SiloProcess.StartAsync(new()
        {
            ["Orleans__DashboardPort"] = Text(port),
            ["Orleans__DashboardAddress"] = "0.0.0.0",
            ["Orleans__DashboardPassword"] = password,
        });
        using var http = new HttpClient();
        await WaitForAsync(() => http.GetAsync($"http://127.0.0.1:{port}/healthz"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{port}/dashboard")).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/dashboard");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:guess")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/dashboard");
        right.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + password)));

        // Not followed: a client drops the credentials on a redirect, and the dashboard redirects to its own page.
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var answer = (int)(await noRedirects.SendAsync(right)).StatusCode;
        Assert.True(answer is >= 200 and < 400, $"the dashboard answered {answer} with the right password");
    }

    [Fact]
    public async Task WithTheDashboardTurnedOffOnlyHealthIsServedAndNothingCollectsMetrics()
    {
        var port = FreePort.Next();
        await using var silo = await SiloProcess.StartAsync(new()
        {
            ["Orleans__DashboardPort"] = Text(port),
            ["Orleans__Dashboard"] = "false",
        });
        using var http = new HttpClient();
        await WaitForAsync(() => http.GetAsync($"http://127.0.0.1:{port}/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/dashboard")).StatusCode);

        // The dashboard's cost is its metric reader, a thread that collects every Orleans metric each second: none runs.
        Assert.DoesNotContain(silo.ThreadNames(), name => name.StartsWith("OpenTelemetry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PortZeroMeansNoHttpListenerAtAll()
    {
        var siloPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        await using var silo = await SiloProcess.StartAsync(new()
        {
            ["Orleans__DashboardPort"] = "0",
            ["Orleans__SiloPort"] = Text(siloPort),
            ["Orleans__GatewayPort"] = Text(gatewayPort),
        });

        // Up once the gateway listens; then it listens on the silo and gateway ports and nothing else.
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!silo.ListeningEndpoints().Any(e => e.Port == gatewayPort))
        {
            Assert.True(DateTime.UtcNow < deadline, "the silo's gateway did not start listening");
            Assert.False(silo.HasExited, "the silo exited: " + silo.Output);
            await Task.Delay(200);
        }

        Assert.Equal(new[] { siloPort, gatewayPort }.Order(), silo.ListeningEndpoints().Select(e => e.Port).Distinct().Order());
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static async Task WaitForAsync(Func<Task<HttpResponseMessage>> probe)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var response = await probe();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the silo's HTTP port did not answer");
            await Task.Delay(200);
        }
    }

    /// <summary>The Silo executable built next to the tests, run as a child process.</summary>
    private sealed class SiloProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private SiloProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static Task<SiloProcess> StartAsync(Dictionary<string, string> environment)
        {
            var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            var dll = Path.Combine(WebFrontHost.RepositoryRoot(), "Silo", "bin", configuration, "net10.0", "OrleansChat.Silo.dll");
            var start = new ProcessStartInfo("dotnet", [dll])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            environment.TryAdd("Orleans__SiloPort", Text(FreePort.Next()));
            environment.TryAdd("Orleans__GatewayPort", Text(FreePort.Next()));
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            start.Environment.Remove("ASPNETCORE_URLS");
            return Task.FromResult(new SiloProcess(Process.Start(start)!));
        }

        /// <summary>The names of this process's threads (from /proc; Linux truncates them to 15 characters).</summary>
        public List<string> ThreadNames() =>
            [.. Directory.EnumerateDirectories($"/proc/{_process.Id}/task").Select(task => File.ReadAllText(Path.Combine(task, "comm")).Trim())];

        /// <summary>The TCP endpoints this process listens on (from /proc: its socket inodes in the LISTEN rows).</summary>
        public List<IPEndPoint> ListeningEndpoints()
        {
            var inodes = new HashSet<string>();
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }

            var endpoints = new List<IPEndPoint>();
            foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (columns[3] != "0A" || !inodes.Contains(columns[9]))
                    {
                        continue;
                    }

                    var (hex, portHex) = (columns[1].Split(':')[0], columns[1].Split(':')[1]);
                    var bytes = Convert.FromHexString(hex);
                    for (var i = 0; i < bytes.Length; i += 4)
                    {
                        Array.Reverse(bytes, i, 4); // /proc prints each 32-bit word in host (little-endian) order
                    }

                    endpoints.Add(new IPEndPoint(new IPAddress(bytes), int.Parse(portHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                }
            }

            return endpoints;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
