using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The container topology, checked without a Docker engine: docker-compose.yml (and its co-hosted variant,
/// docker-compose.cohosted.yml) as `docker-compose config` resolves it, the nginx configuration it mounts (with the local nginx), the Dockerfile's runtime stage, and the image's
/// entrypoint and health probe run against stand-ins (a fake dotnet, a small HTTP server).
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string[] OrleansServices = ["silo1", "silo2", "webfront1", "webfront2"];

    // Settings docker-compose.yml reads from the environment: the tests check its defaults.
    private static readonly string[] ComposeVariables = ["LB_PORT", "DASHBOARD1_PORT", "DASHBOARD2_PORT", "DASHBOARD_PASSWORD", "COMPOSE_SUBNET", "CLUSTER_ID", "LEASE_TIMEOUT", "COMPOSE_FILE", "COMPOSE_PROFILES"];

    private static readonly Lazy<Task<JsonElement>> ComposeConfig = new(() => LoadComposeConfigAsync("docker-compose.yml"));

    private static readonly Lazy<Task<JsonElement>> CohostedConfig = new(() => LoadComposeConfigAsync("docker-compose.cohosted.yml"));

    // What a co-hosted node sets beyond a WebFront of docker-compose.yml: it hosts a silo of the cluster.
    private static readonly string[] CohostedSiloSettings = ["Orleans__HostSilo", "Orleans__AdvertisedIP", "Orleans__SiloPort", "Orleans__GatewayPort"];

    private static string Root => WebFrontHost.RepositoryRoot();

    [Fact]
    public async Task TheComposeFileIsValidAndDeclaresTheWholeTopology()
    {
        var services = (await ComposeConfig.Value).GetProperty("services");

        var names = services.EnumerateObject().Select(s => s.Name).ToHashSet();
        Assert.Superset(names, new HashSet<string> { "redis", "silo1", "silo2", "webfront1", "webfront2", "lb" });
    }

    [Fact]
    public async Task TheLoadBalancerIsPublishedOnHostPort3000()
    {
        var lb = await ServiceAsync("lb");

        Assert.Contains(("3000", "80"), Ports(lb));
    }

    [Fact]
    public async Task EveryOrleansServiceJoinsTheSameClusterThroughTheSameRedis()
    {
        var first = EnvironmentOf(await ServiceAsync("silo1"));
        Assert.Equal("redis:6379", first.GetValueOrDefault("ConnectionStrings__Redis"));
        Assert.False(string.IsNullOrEmpty(first.GetValueOrDefault("Orleans__ClusterId")));
        Assert.False(string.IsNullOrEmpty(first.GetValueOrDefault("Orleans__ServiceId")));

        foreach (var name in OrleansServices)
        {
            var environment = EnvironmentOf(await ServiceAsync(name));
            foreach (var key in new[] { "ConnectionStrings__Redis", "Orleans__ClusterId", "Orleans__ServiceId", "Chat__Limits__LeaseTimeout" })
            {
                Assert.True(first[key] == environment.GetValueOrDefault(key), $"{name}: {key} is '{environment.GetValueOrDefault(key)}', silo1 has '{first[key]}'");
            }
        }
    }

    [Fact]
    public async Task WebFrontsRunTheWebFrontRoleOnPort3000AndAreReadyOnlyWhenTheClusterAnswers()
    {
        foreach (var name in new[] { "webfront1", "webfront2" })
        {
            var webFront = await ServiceAsync(name);
            var environment = EnvironmentOf(webFront);

            Assert.Equal(["webfront"], Command(webFront));
            Assert.Matches(@"^http://[^/]+:3000$", environment.GetValueOrDefault("ASPNETCORE_URLS"));
            Assert.Equal(name, environment.GetValueOrDefault("Chat__Socket__ServerId"));
            Assert.Equal("http://localhost:3000", environment.GetValueOrDefault("Chat__Socket__AllowedOrigins__0"));
            Assert.Equal("/app/healthcheck.sh 3000 /ready", HealthCheck(webFront));
            Assert.Equal("30s", webFront.GetProperty("stop_grace_period").GetString());
        }
    }

    [Fact]
    public async Task SilosRunTheSiloRoleAdvertiseTheirServiceNameAndAreCheckedOnTheirDashboardPort()
    {
        foreach (var name in new[] { "silo1", "silo2" })
        {
            var silo = await ServiceAsync(name);
            var environment = EnvironmentOf(silo);

            Assert.Equal(["silo"], Command(silo));
            Assert.Equal(name, environment.GetValueOrDefault("Orleans__AdvertisedIP"));
            Assert.Equal("11111", environment.GetValueOrDefault("Orleans__SiloPort"));
            Assert.Equal("30000", environment.GetValueOrDefault("Orleans__GatewayPort"));
            Assert.Equal("8080", environment.GetValueOrDefault("Orleans__DashboardPort"));
            Assert.Equal("/app/healthcheck.sh 8080 /healthz", HealthCheck(silo));
        }
    }

    [Fact]
    public async Task OnlyTheLoadBalancerIsPublishedBeyondTheHostsLoopback()
    {
        var services = (await ComposeConfig.Value).GetProperty("services");
        foreach (var service in services.EnumerateObject())
        {
            foreach (var (hostIp, published, target) in PublishedPorts(service.Value))
            {
                if (service.Name == "lb")
                {
                    Assert.Equal("80", target);
                    continue;
                }

                // The silos' HTTP port (health, dashboard) on 127.0.0.1 of the host only; nothing else at all.
                Assert.True(service.Name.StartsWith("silo", StringComparison.Ordinal) && target == "8080", $"{service.Name} publishes {published}:{target}");
                Assert.Equal("127.0.0.1", hostIp);
            }
        }
    }

    [Fact]
    public async Task TheSilosServeTheirDashboardOnlyWithAPasswordFromTheEnvironment()
    {
        foreach (var name in new[] { "silo1", "silo2" })
        {
            var environment = EnvironmentOf(await ServiceAsync(name));

            // No password in the file: unset (the default here), the dashboard is off and only /healthz answers.
            Assert.True(string.IsNullOrEmpty(environment.GetValueOrDefault("Orleans__DashboardPassword")), $"{name} has a dashboard password in the compose file");
            Assert.False(environment.ContainsKey("ASPNETCORE_URLS"), $"{name}: the HTTP address comes from Orleans__DashboardAddress");
            Assert.Equal("0.0.0.0", environment.GetValueOrDefault("Orleans__DashboardAddress"));
        }

        var file = await File.ReadAllTextAsync(Path.Combine(Root, "docker-compose.yml"));
        Assert.Contains("Orleans__DashboardPassword: ${DASHBOARD_PASSWORD:-}", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebFrontsTrustForwardedAddressesFromTheComposeNetworkOnlyAndKeepMetricsOnIt()
    {
        var config = await ComposeConfig.Value;
        var subnet = config.GetProperty("networks").GetProperty("default").GetProperty("ipam").GetProperty("config")[0].GetProperty("subnet").GetString();
        Assert.Equal("172.30.0.0/16", subnet);
        foreach (var name in new[] { "webfront1", "webfront2" })
        {
            var webFront = await ServiceAsync(name);
            var environment = EnvironmentOf(webFront);
            Assert.Equal(subnet, environment.GetValueOrDefault("Chat__ForwardedHeaders__KnownNetworks__0"));
            Assert.Equal("0.0.0.0", environment.GetValueOrDefault("Chat__Metrics__Address"));
            Assert.Empty(PublishedPorts(webFront));
        }
    }

    [Fact]
    public async Task OneServiceBuildsTheImageAndEveryOtherOrleansServiceStartsAfterIt()
    {
        var services = (await ComposeConfig.Value).GetProperty("services");
        foreach (var name in OrleansServices)
        {
            Assert.Equal("orleanschat:local", services.GetProperty(name).GetProperty("image").GetString());
        }

        var builders = OrleansServices.Where(name => services.GetProperty(name).TryGetProperty("build", out _)).ToArray();
        var builder = Assert.Single(builders);

        // docker-compose v1 pulls a missing image of a service without `build` in dependency order: the service
        // that builds it must come first.
        foreach (var name in OrleansServices.Where(name => name != builder))
        {
            Assert.True(DependsTransitivelyOn(services, name, builder), $"{name} must depend (directly or not) on {builder}, which builds the image");
        }
    }

    [Fact]
    public async Task ServicesStartInOrderOfHealth()
    {
        Assert.Equal("service_healthy", DependsOn(await ServiceAsync("silo1")).GetValueOrDefault("redis"));
        Assert.Equal("service_healthy", DependsOn(await ServiceAsync("silo2")).GetValueOrDefault("redis"));
        foreach (var name in new[] { "webfront1", "webfront2" })
        {
            var dependencies = DependsOn(await ServiceAsync(name));
            Assert.Equal("service_healthy", dependencies.GetValueOrDefault("silo1"));
            Assert.Equal("service_healthy", dependencies.GetValueOrDefault("silo2"));
        }

        var lb = DependsOn(await ServiceAsync("lb"));
        Assert.Equal("service_healthy", lb.GetValueOrDefault("webfront1"));
        Assert.Equal("service_healthy", lb.GetValueOrDefault("webfront2"));
    }

    [Fact]
    public async Task TheLoadBalancerConfigurationPassesWebSocketsToBothWebFronts()
    {
        var nginx = await File.ReadAllTextAsync(await MountedNginxConfigurationAsync());

        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Connection $connection_upgrade;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Host $http_host;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_http_version 1.1;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_buffering off;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_read_timeout 3600s;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_next_upstream error timeout http_502 http_503;", nginx, StringComparison.Ordinal);
        Assert.Matches(@"server\s+webfront1:3000\b", nginx);
        Assert.Matches(@"server\s+webfront2:3000\b", nginx);
        Assert.Matches(@"listen\s+80;", nginx);
    }

    [Fact]
    public async Task TheLoadBalancerConfigurationPassesTheNginxSyntaxCheck()
    {
        // Debian installs nginx in /usr/sbin, which is not on every user's PATH.
        var program = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var version = await RunAsync(program, ["-v"], missing: "nginx is not installed (apt-get install nginx; the process cluster tests need it too)");
        // `server NAME resolve` is in open-source nginx since 1.27.3 (the compose file runs nginx:1.27-alpine); an
        // older local nginx checks everything else.
        var match = Regex.Match(version.Error + version.Output, @"nginx/(\d+)\.(\d+)\.(\d+)");
        Assert.True(match.Success, "nginx -v printed no version: " + version.Error);
        var local = new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value));

        var folder = Directory.CreateTempSubdirectory("orleanschat-nginx-").FullName;
        try
        {
            var nginx = await File.ReadAllTextAsync(await MountedNginxConfigurationAsync());
            // Compose host names do not resolve here; log and pid files go to the temporary folder.
            nginx = Regex.Replace(nginx, @"webfront\d:3000", "127.0.0.1:3000");
            if (local < new Version(1, 27, 3))
            {
                nginx = nginx.Replace(" resolve ", " ", StringComparison.Ordinal);
            }

            nginx = Regex.Replace(nginx, @"^error_log\s+\S+", "error_log " + Path.Combine(folder, "error.log"), RegexOptions.Multiline);
            nginx = Regex.Replace(nginx, @"^pid\s+\S+;", "pid " + Path.Combine(folder, "nginx.pid") + ";", RegexOptions.Multiline);
            // nginx -t creates its temporary folders: keep them in the temporary folder too.
            var temporary = string.Concat(new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }.Select(t => $"\n  {t}_temp_path {Path.Combine(folder, t)};"));
            nginx = Regex.Replace(nginx, @"^http \{", "http {" + temporary, RegexOptions.Multiline);
            var path = Path.Combine(folder, "nginx.conf");
            await File.WriteAllTextAsync(path, nginx);

            var check = await RunAsync(program, ["-t", "-e", Path.Combine(folder, "error.log"), "-p", folder + "/", "-c", path]);

            Assert.True(check.ExitCode == 0, $"nginx -t failed ({check.ExitCode}): {check.Error}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TheRuntimeStageRunsAsANonRootUserAndExposesTheWebFrontPort()
    {
        var instructions = DockerfileInstructions(File.ReadAllText(Path.Combine(Root, "Dockerfile")));
        var runtime = instructions.Skip(instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();

        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", runtime[0].Arguments, StringComparison.Ordinal);
        var user = runtime.LastOrDefault(i => i.Keyword == "USER")?.Arguments;
        Assert.False(string.IsNullOrWhiteSpace(user), "the runtime stage sets no USER: it would run as root");
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        var exposed = runtime.Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Contains("3000", exposed);
        Assert.Contains("8080", exposed);
        Assert.Contains("11111", exposed);
        Assert.Contains("30000", exposed);
        Assert.StartsWith("[", runtime.Single(i => i.Keyword == "ENTRYPOINT").Arguments, StringComparison.Ordinal);

        // Both roles run socket completions inline, as the process cluster does (scripts/cluster.sh).
        Assert.Contains(runtime, i => i.Keyword == "ENV" && i.Arguments.Contains("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1", StringComparison.Ordinal));
    }

    [Fact]
    public void TheImagePublishesTheTwoAppsWithTheClientBundleAndLeavesBuildOutputOutOfTheContext()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        Assert.Contains("dotnet publish Silo/Silo.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish WebFront/WebFront.csproj", dockerfile, StringComparison.Ordinal);
        Assert.Contains("-p:SkipClientBuild=true", dockerfile, StringComparison.Ordinal);
        Assert.Contains("COPY --from=client /src/WebFront/wwwroot/assets/", dockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain(".sln", dockerfile, StringComparison.Ordinal);

        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore")).Select(l => l.Trim()).ToHashSet();
        Assert.Superset(new HashSet<string> { "**/bin/", "**/obj/", "**/node_modules/", "WebFront/wwwroot/assets/", ".git/", "Tests/" }, ignored);
    }

    [Fact]
    public void TheRestoreLayerCopiesTheProjectFileOfEveryProjectTheTwoAppsReference()
    {
        var instructions = DockerfileInstructions(File.ReadAllText(Path.Combine(Root, "Dockerfile")));
        var restore = instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "the Dockerfile has no dotnet restore step");
        var copied = instructions.Take(restore)
            .Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            .ToHashSet(StringComparer.Ordinal);

        foreach (var project in ProjectClosure("Silo/Silo.csproj", "WebFront/WebFront.csproj"))
        {
            Assert.True(copied.Contains(project), $"the restore layer does not copy {project}: `dotnet restore` would not see it");
        }
    }

    [Fact]
    public void TheBuildStagesRunOnTheBuildersPlatformAndOnlyTheRuntimeStageOnTheTarget()
    {
        // Cross-building for x86 on an ARM laptop (infra/DEPLOY.md) must not run npm or dotnet restore under emulation.
        var stages = DockerfileInstructions(File.ReadAllText(Path.Combine(Root, "Dockerfile"))).Where(i => i.Keyword == "FROM").ToList();

        Assert.Equal(3, stages.Count);
        Assert.All(stages.SkipLast(1), stage => Assert.StartsWith("--platform=$BUILDPLATFORM ", stage.Arguments, StringComparison.Ordinal));
        Assert.Contains(" AS client", stages[0].Arguments, StringComparison.Ordinal);
        Assert.Contains(" AS build", stages[1].Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain("--platform", stages[^1].Arguments, StringComparison.Ordinal);
        // The output of the build stages must not depend on the CPU: no runtime identifier, no native app host.
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        Assert.DoesNotMatch(@"dotnet (restore|publish)[^\n]*(-r |--runtime|-a |--arch)", dockerfile);
        Assert.Contains("-p:UseAppHost=false", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBaseImagesAreMaintainedLines()
    {
        var instructions = DockerfileInstructions(File.ReadAllText(Path.Combine(Root, "Dockerfile")));
        var node = instructions.Single(i => i.Keyword == "ARG" && i.Arguments.StartsWith("NODE_VERSION=", StringComparison.Ordinal)).Arguments;
        var nodeMajor = int.Parse(node["NODE_VERSION=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        // Even majors are the LTS lines; 20 reached its end of life in April 2026, 22 is in maintenance until April 2027.
        Assert.True(nodeMajor >= 24 && nodeMajor % 2 == 0, $"node:{nodeMajor} is not a current LTS line");

        var lb = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
        var nginx = Regex.Match(lb, @"image: nginx:(\d+)\.(\d+)-alpine");
        Assert.True(nginx.Success, "the load balancer's nginx image is not pinned to a minor line");
        var minor = int.Parse(nginx.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        // 1.28+ (1.27 is closed); `server ... resolve` in an upstream needs open-source nginx 1.27.3 or later.
        Assert.True(nginx.Groups[1].Value == "1" && minor >= 28, $"nginx:{nginx.Groups[1].Value}.{minor} is a closed branch");
    }

    [Fact]
    public void NuGetAdvisoriesAreWarningsInTheImageBuildOnly()
    {
        var instructions = DockerfileInstructions(File.ReadAllText(Path.Combine(Root, "Dockerfile")));
        var build = instructions.Skip(instructions.FindIndex(i => i.Keyword == "FROM" && i.Arguments.Contains(" AS build", StringComparison.Ordinal))).ToList();
        var warnings = build.Single(i => i.Keyword == "ENV" && i.Arguments.Contains("WarningsNotAsErrors", StringComparison.Ordinal)).Arguments;
        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));

        Assert.True(build.FindIndex(i => i.Keyword == "ENV" && i.Arguments.Contains("WarningsNotAsErrors", StringComparison.Ordinal)) < restore);
        foreach (var code in new[] { "NU1603", "NU1901", "NU1902", "NU1903", "NU1904" })
        {
            Assert.Contains(code, warnings, StringComparison.Ordinal);
        }

        // CI's own build keeps them errors: an advisory fails the next commit there, where it gets fixed.
        var props = File.ReadAllText(Path.Combine(Root, "Directory.Build.props"));
        Assert.Contains("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>", props, StringComparison.Ordinal);
        Assert.DoesNotContain("NU1901", props, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryAppStopsByItselfBeforeComposeKillsIt()
    {
        foreach (var name in OrleansServices)
        {
            var service = await ServiceAsync(name);
            var grace = Duration(ScalarText(service.GetProperty("stop_grace_period")));
            var timeout = TimeSpan.Parse(EnvironmentOf(service)["Chat__ShutdownTimeout"]!, System.Globalization.CultureInfo.InvariantCulture);

            Assert.True(timeout < grace, $"{name}: .NET gives itself {timeout}, compose kills after {grace}");
            Assert.True(OrleansChat.Hosting.HostShutdown.DefaultTimeout < grace, $"{name}: the hosts' default shutdown timeout is not below {grace}");
        }
    }

    [Fact]
    public void TheHostsShutdownTimeoutIsTheConfiguredOneOrTwentySeconds()
    {
        static TimeSpan Configured(string? value)
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
            if (value is not null)
            {
                builder.Configuration[OrleansChat.Hosting.HostShutdown.TimeoutKey] = value;
            }

            OrleansChat.Hosting.HostShutdown.AddChatShutdownTimeout(builder);
            using var host = builder.Build();
            return Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.Extensions.Hosting.HostOptions>>(host.Services).Value.ShutdownTimeout;
        }

        Assert.Equal(TimeSpan.FromSeconds(20), Configured(null));
        Assert.Equal(TimeSpan.FromSeconds(12), Configured("00:00:12"));
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Configured("forever"));
        Assert.Contains("Chat:ShutdownTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisStaysPasswordLessOnThePrivateComposeNetwork()
    {
        var redis = await ServiceAsync("redis");

        Assert.False(redis.TryGetProperty("ports", out _), "redis publishes a port: without a password it must stay on the compose network");
        Assert.Contains("no password here on purpose", File.ReadAllText(Path.Combine(Root, "docker-compose.yml")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "", "webfront", "OrleansChat.WebFront.dll", "http://+:3000")]
    [InlineData(new[] { "silo", "--Orleans:SiloPort=11112" }, "", "silo", "OrleansChat.Silo.dll --Orleans:SiloPort=11112", "")]
    [InlineData(new string[0], "silo", "silo", "OrleansChat.Silo.dll", "")]
    [InlineData(new[] { "webfront" }, "silo", "webfront", "OrleansChat.WebFront.dll", "http://+:3000")]
    [InlineData(new[] { "--urls=http://+:5000" }, "webfront", "webfront", "OrleansChat.WebFront.dll --urls=http://+:5000", "http://+:3000")]
    public async Task TheEntrypointExecsTheChosenRoleInItsFolder(string[] arguments, string chatRole, string folder, string expectedArguments, string expectedUrls)
    {
        var app = Directory.CreateTempSubdirectory("orleanschat-entrypoint-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(app, "webfront"));
            Directory.CreateDirectory(Path.Combine(app, "silo"));
            Directory.CreateDirectory(Path.Combine(app, "bin"));
            // A stand-in for dotnet: where it runs, with what, and its parent (the test itself when the entrypoint exec'd).
            var fake = Path.Combine(app, "bin", "dotnet");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\necho \"cwd=$(pwd)\"\necho \"args=$*\"\necho \"urls=${ASPNETCORE_URLS:-}\"\necho \"ppid=$PPID\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var result = await RunAsync("sh", [Path.Combine(Root, "docker", "entrypoint.sh"), .. arguments], environment: new()
            {
                ["CHAT_APP_ROOT"] = app,
                ["CHAT_ROLE"] = chatRole.Length == 0 ? null : chatRole,
                ["ASPNETCORE_URLS"] = null,
                ["PATH"] = Path.Combine(app, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
            });

            Assert.True(result.ExitCode == 0, $"entrypoint failed ({result.ExitCode}): {result.Error}");
            var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(Path.Combine(app, folder), lines["cwd"]);
            Assert.Equal(expectedArguments, lines["args"]);
            Assert.Equal(expectedUrls, lines["urls"]);
            Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), lines["ppid"]);
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    [Fact]
    public async Task TheEntrypointRefusesAnUnknownRole()
    {
        var result = await RunAsync("sh", [Path.Combine(Root, "docker", "entrypoint.sh")], environment: new() { ["CHAT_ROLE"] = "gateway", ["CHAT_APP_ROOT"] = "/nonexistent" });

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("unknown role 'gateway'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHealthProbeIsHealthyOnlyOnA200()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapGet("/healthz", () => Results.Ok());
        app.MapGet("/ready", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var probe = Path.Combine(Root, "docker", "healthcheck.sh");

        Assert.Equal(0, (await RunAsync("bash", [probe, port, "/healthz"])).ExitCode);
        Assert.Equal(1, (await RunAsync("bash", [probe, port, "/ready"])).ExitCode);
        Assert.Equal(1, (await RunAsync("bash", [probe, FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "/healthz"])).ExitCode);
        // Without arguments (PID 1 here is no silo): WebFront's /ready on the port of ASPNETCORE_URLS.
        var unready = await RunAsync("bash", [probe], environment: new() { ["ASPNETCORE_URLS"] = "http://+:" + port + ";http://+:1" });
        Assert.Equal(1, unready.ExitCode);
        Assert.Contains("GET /ready on port " + port, unready.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCohostedComposeFileRunsTwoNodesThatHostTheSilosBehindTheSameLoadBalancer()
    {
        var services = (await CohostedConfig.Value).GetProperty("services");
        Assert.Equal(
            new[] { "lb", "redis", "webfront1", "webfront2" },
            services.EnumerateObject().Select(s => s.Name).Order(StringComparer.Ordinal).ToArray());

        foreach (var name in new[] { "webfront1", "webfront2" })
        {
            var node = services.GetProperty(name);
            var environment = EnvironmentOf(node);
            Assert.Equal(["webfront"], Command(node));
            Assert.Equal("true", environment.GetValueOrDefault("Orleans__HostSilo"));
            Assert.Equal(name, environment.GetValueOrDefault("Orleans__AdvertisedIP"));
            Assert.Equal("11111", environment.GetValueOrDefault("Orleans__SiloPort"));
            Assert.Equal(name, environment.GetValueOrDefault("Chat__Socket__ServerId"));
            Assert.DoesNotContain(environment.Keys, key => key.StartsWith("Orleans__Gateways", StringComparison.Ordinal));
            Assert.Equal("/app/healthcheck.sh 3000 /ready", HealthCheck(node));
            Assert.Equal("service_healthy", DependsOn(node).GetValueOrDefault("redis"));
            Assert.Equal("30s", ScalarText(node.GetProperty("stop_grace_period")));
            Assert.Empty(PublishedPorts(node));
        }

        // The image is built once, by the node the other one starts after.
        Assert.Single(new[] { "webfront1", "webfront2" }, name => services.GetProperty(name).TryGetProperty("build", out _));
        Assert.True(services.GetProperty("webfront1").TryGetProperty("build", out _));
        Assert.True(DependsTransitivelyOn(services, "webfront2", "webfront1"));

        var lb = services.GetProperty("lb");
        Assert.Equal([("3000", "80")], Ports(lb));
        Assert.Equal("service_healthy", DependsOn(lb).GetValueOrDefault("webfront1"));
        Assert.Equal("service_healthy", DependsOn(lb).GetValueOrDefault("webfront2"));
        Assert.Equal(
            Volumes(await ServiceAsync("lb")).Single(v => v.Target == "/etc/nginx/nginx.conf").Source,
            Volumes(lb).Single(v => v.Target == "/etc/nginx/nginx.conf").Source);
    }

    [Fact]
    public async Task ACohostedNodeIsAWebFrontOfTheTiersPlusItsSilo()
    {
        // Both files are written by hand: a setting added to one and not the other fails here.
        var tiers = await ComposeConfig.Value;
        var cohosted = await CohostedConfig.Value;
        foreach (var name in new[] { "webfront1", "webfront2" })
        {
            var webFront = EnvironmentOf(tiers.GetProperty("services").GetProperty(name));
            var node = EnvironmentOf(cohosted.GetProperty("services").GetProperty(name));
            foreach (var setting in CohostedSiloSettings)
            {
                Assert.True(node.Remove(setting), $"{name} of the co-hosted file does not set {setting}");
            }

            Assert.Equal(webFront.OrderBy(p => p.Key, StringComparer.Ordinal), node.OrderBy(p => p.Key, StringComparer.Ordinal));
        }

        Assert.Equal(
            tiers.GetProperty("services").GetProperty("redis").GetRawText(),
            cohosted.GetProperty("services").GetProperty("redis").GetRawText());
    }

    private static async Task<JsonElement> ServiceAsync(string name) => (await ComposeConfig.Value).GetProperty("services").GetProperty(name);

    /// <summary>
    /// `docker-compose config` as JSON: v2 prints it (--format json); v1 (Debian bookworm's 1.29) prints YAML only,
    /// which its own Python YAML library turns into JSON.
    /// </summary>
    private static async Task<JsonElement> LoadComposeConfigAsync(string fileName)
    {
        const string missing = "docker-compose is not installed: scripts/test.sh installs it (apt-get install docker-compose); it validates docker-compose.yml without a Docker engine";
        var file = Path.Combine(Root, fileName);
        var environment = ComposeVariables.ToDictionary(v => v, string? (_) => null);
        var version = await RunAsync("docker-compose", ["version", "--short"], environment, missing: missing);
        Assert.True(version.ExitCode == 0, "docker-compose version failed: " + version.Error);

        string json;
        if (version.Output.TrimStart('v').StartsWith("1.", StringComparison.Ordinal))
        {
            var yaml = await RunAsync("docker-compose", ["-f", file, "config"], environment);
            Assert.True(yaml.ExitCode == 0, fileName + " is not valid: " + yaml.Error);
            var converted = await RunAsync("python3", ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"], input: yaml.Output);
            Assert.True(converted.ExitCode == 0, "could not read docker-compose config's YAML: " + converted.Error);
            json = converted.Output;
        }
        else
        {
            var config = await RunAsync("docker-compose", ["-f", file, "config", "--format", "json"], environment);
            Assert.True(config.ExitCode == 0, fileName + " is not valid: " + config.Error);
            json = config.Output;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static async Task<string> MountedNginxConfigurationAsync()
    {
        var mount = Volumes(await ServiceAsync("lb")).SingleOrDefault(v => v.Target == "/etc/nginx/nginx.conf");
        Assert.True(mount.Source is not null, "lb mounts no /etc/nginx/nginx.conf");
        Assert.True(File.Exists(mount.Source), "the mounted nginx configuration does not exist: " + mount.Source);
        return mount.Source;
    }

    private static Dictionary<string, string?> EnvironmentOf(JsonElement service)
    {
        var result = new Dictionary<string, string?>();
        if (!service.TryGetProperty("environment", out var environment))
        {
            return result;
        }

        if (environment.ValueKind == JsonValueKind.Array)
        {
            foreach (var pair in environment.EnumerateArray().Select(e => e.GetString()!.Split('=', 2)))
            {
                result[pair[0]] = pair.Length > 1 ? pair[1] : null;
            }

            return result;
        }

        foreach (var property in environment.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : ScalarText(property.Value);
        }

        return result;
    }

    private static string[] Command(JsonElement service) =>
        service.GetProperty("command") is { ValueKind: JsonValueKind.Array } command
            ? command.EnumerateArray().Select(ScalarText).ToArray()
            : service.GetProperty("command").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string HealthCheck(JsonElement service)
    {
        var test = service.GetProperty("healthcheck").GetProperty("test");
        var parts = test.ValueKind == JsonValueKind.Array ? test.EnumerateArray().Select(ScalarText).ToList() : ["CMD-SHELL", test.GetString()!];
        Assert.Equal("CMD", parts[0]);
        return string.Join(' ', parts.Skip(1));
    }

    /// <summary>(published, target) of every port: v1 prints "[ip:]published:target[/proto]" or a mapping, v2 a mapping.</summary>
    private static List<(string Published, string Target)> Ports(JsonElement service)
    {
        var result = new List<(string, string)>();
        if (!service.TryGetProperty("ports", out var ports))
        {
            return result;
        }

        foreach (var port in ports.EnumerateArray())
        {
            if (port.ValueKind == JsonValueKind.Object)
            {
                result.Add((port.TryGetProperty("published", out var published) ? ScalarText(published) : "", ScalarText(port.GetProperty("target"))));
            }
            else
            {
                var parts = ScalarText(port).Split('/')[0].Split(':');
                result.Add((parts.Length > 1 ? parts[^2] : "", parts[^1]));
            }
        }

        return result;
    }

    /// <summary>(host IP, published, target) of every port; an empty host IP means every interface.</summary>
    private static List<(string HostIp, string Published, string Target)> PublishedPorts(JsonElement service)
    {
        var result = new List<(string, string, string)>();
        if (!service.TryGetProperty("ports", out var ports))
        {
            return result;
        }

        foreach (var port in ports.EnumerateArray())
        {
            if (port.ValueKind == JsonValueKind.Object)
            {
                result.Add((
                    port.TryGetProperty("host_ip", out var ip) ? ScalarText(ip) : "",
                    port.TryGetProperty("published", out var published) ? ScalarText(published) : "",
                    ScalarText(port.GetProperty("target"))));
            }
            else
            {
                var parts = ScalarText(port).Split('/')[0].Split(':');
                result.Add((parts.Length > 2 ? parts[^3] : "", parts.Length > 1 ? parts[^2] : "", parts[^1]));
            }
        }

        return result;
    }

    /// <summary>(source, target) of every volume: v1 prints "source:target[:mode]", v2 a mapping.</summary>
    private static List<(string? Source, string Target)> Volumes(JsonElement service)
    {
        var result = new List<(string?, string)>();
        foreach (var volume in service.GetProperty("volumes").EnumerateArray())
        {
            if (volume.ValueKind == JsonValueKind.Object)
            {
                result.Add((volume.TryGetProperty("source", out var source) ? source.GetString() : null, volume.GetProperty("target").GetString()!));
            }
            else
            {
                var parts = volume.GetString()!.Split(':');
                result.Add((parts[0], parts[1]));
            }
        }

        return result;
    }

    /// <summary>Dependency → condition (a plain list means service_started).</summary>
    private static Dictionary<string, string> DependsOn(JsonElement service)
    {
        if (!service.TryGetProperty("depends_on", out var dependsOn))
        {
            return [];
        }

        return dependsOn.ValueKind == JsonValueKind.Array
            ? dependsOn.EnumerateArray().ToDictionary(d => d.GetString()!, _ => "service_started")
            : dependsOn.EnumerateObject().ToDictionary(
                d => d.Name,
                d => d.Value.TryGetProperty("condition", out var condition) ? condition.GetString()! : "service_started");
    }

    private static bool DependsTransitivelyOn(JsonElement services, string name, string dependency)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([name]);
        while (pending.TryPop(out var current))
        {
            foreach (var next in DependsOn(services.GetProperty(current)).Keys.Where(seen.Add))
            {
                if (next == dependency)
                {
                    return true;
                }

                pending.Push(next);
            }
        }

        return false;
    }

    // Compose durations as `docker-compose config` prints them: "30s", "1m30s", "1m".
    private static TimeSpan Duration(string text)
    {
        var match = Regex.Match(text, @"^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$");
        Assert.True(match.Success && text.Length > 0, $"'{text}' is not a compose duration");
        var minutes = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var seconds = match.Groups[2].Success ? double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(seconds);
    }

    private static string ScalarText(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private sealed record Instruction(string Keyword, string Arguments);

    /// <summary>The Dockerfile's instructions, comments dropped and continued lines joined.</summary>
    private static List<Instruction> DockerfileInstructions(string dockerfile)
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            var parts = current.Trim().Split(' ', 2);
            instructions.Add(new Instruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : ""));
            current = "";
        }

        return instructions;
    }

    /// <summary>The given projects and every project they reference, directly or not (paths from the repository root).</summary>
    private static SortedSet<string> ProjectClosure(params string[] projects)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(projects);
        while (pending.TryPop(out var project))
        {
            if (!found.Add(project))
            {
                continue;
            }

            var file = Path.Combine(Root, project);
            foreach (var reference in XDocument.Load(file).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")?.Value.Replace('\\', '/') ?? "";
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, include));
                pending.Push(Path.GetRelativePath(Root, path).Replace('\\', '/'));
            }
        }

        return found;
    }

    private sealed record ProcessResult(int ExitCode, string Output, string Error);

    /// <summary>Runs a program to its end (null values in <paramref name="environment"/> remove a variable).</summary>
    private static async Task<ProcessResult> RunAsync(
        string program, string[] arguments, Dictionary<string, string?>? environment = null, string? input = null, string? missing = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        foreach (var (key, value) in environment ?? [])
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            Assert.Fail((missing ?? program + " is not installed") + $" ({ex.Message})");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
                process.StandardInput.Close();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            return new ProcessResult(process.ExitCode, await output, await error);
        }
    }
}
