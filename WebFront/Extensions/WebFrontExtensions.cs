using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;

namespace OrleansChat.WebFront.Extensions;

public static class WebFrontExtensions
{
    /// <summary>The default address when nothing else is configured (ASPNETCORE_URLS, --urls, Kestrel endpoints).</summary>
    public const string DefaultUrl = "http://localhost:3000";

    private const string ReadyTag = "ready";

    /// <summary>Everything WebFront needs: its port, the Orleans backend, the chat socket, health checks.</summary>
    public static WebApplicationBuilder AddChatWebFront(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddOptions<ForwardedHeadersSettings>()
            .BindConfiguration(ForwardedHeadersSettings.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<ForwardedHeadersSettings>>((options, settings) => settings.Value.ApplyTo(options));
        builder.AddChatBackend();
        builder.AddChatSockets();
        builder.AddChatTelemetry();
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag]);
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>The request pipeline: errors without details, static client files, health, the socket.</summary>
    public static WebApplication MapChatWebFront(this WebApplication app)
    {
        // First: every per-address limit counts the client's address, forwarded only by a trusted proxy.
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        // Liveness: the process answers. Readiness: it can serve chat (cluster reachable, not draining).
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapChatSocket("/ws");
        return app;
    }

    /// <summary>The addresses Kestrel actually listens on (useful when the port was 0).</summary>
    public static IReadOnlyCollection<string> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
}
