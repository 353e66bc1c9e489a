using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansChat.WebFront.Extensions;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A real WebFront (Kestrel on a free loopback port) built exactly like Program.cs, with extra settings.
/// Without <c>Orleans:Gateways</c> it hosts its own silo on free ports (embedded mode).
/// </summary>
public sealed class WebFrontHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebFrontHost(WebApplication app, Uri baseAddress, Uri? metricsAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        MetricsAddress = metricsAddress;
    }

    /// <summary>The public listener (the client, the socket, health).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The internal metrics listener (<c>/metrics</c> only), or null when it is off.</summary>
    public Uri? MetricsAddress { get; }

    /// <summary>The app's services (white-box checks: its room feeds, its Orleans client).</summary>
    public IServiceProvider Services => _app.Services;

    public Uri SocketUri => new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;

    /// <param name="settings">Configuration on top of the test defaults.</param>
    /// <param name="logs">An extra log provider (tests that assert on log events).</param>
    /// <param name="services">Extra services, registered after the app's own (e.g. a grain call filter of the embedded silo).</param>
    public static async Task<WebFrontHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        ILoggerProvider? logs = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ApplicationName = "OrleansChat.WebFront",
            ContentRootPath = Path.Combine(RepositoryRoot(), "WebFront"),
        });
        var all = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:StreamPollPeriod"] = "00:00:00.005",
            ["Chat:Metrics:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every test makes rooms and sockets of its own, all from 127.0.0.1: the per-address caps would refuse
            // them. Their own tests set them.
            ["Chat:Limits:NewRoomsPerMinutePerAddress"] = "0",
            ["Chat:Socket:MaxConnectionsPerAddress"] = "0",
            ["Chat:Limits:MaxParticipantsPerRoomPerAddress"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddChatWebFront();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapChatWebFront();
        await app.StartAsync();
        var metricsPort = app.Configuration["Chat:Metrics:Port"];
        var addresses = app.ListeningAddresses().Select(a => new Uri(a)).ToList();
        var metrics = addresses.FirstOrDefault(a => a.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) == metricsPort);
        return new WebFrontHost(app, addresses.First(a => a != metrics), metrics);
    }

    /// <summary>The folder holding OrleansChat.sln, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OrleansChat.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Stops the host gracefully (sockets are closed, the embedded silo shuts down).</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
