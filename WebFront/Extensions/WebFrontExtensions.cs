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
        var metrics = builder.Configuration.GetSection(MetricsEndpointOptions.SectionName).Get<MetricsEndpointOptions>() ?? new MetricsEndpointOptions();
        builder.Services.AddOptions<MetricsEndpointOptions>()
            .BindConfiguration(MetricsEndpointOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            if (metrics.Port != 0)
            {
                builder.Configuration.AddInMemoryCollection([new("Kestrel:Endpoints:Metrics:Url", metrics.Url)]);
            }
        }
        else
        {
            // The public address(es), plus the metrics listener on a port of its own.
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
            urls = string.IsNullOrEmpty(urls) ? DefaultUrl : urls;
            builder.WebHost.UseUrls(metrics.Port == 0 ? urls : urls + ";" + metrics.Url);
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
        // The metrics listener answers /metrics and nothing else; the public listeners never answer it (any case).
        var metricsPort = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsEndpointOptions>>().Value.Port;
        app.Use((context, next) =>
        {
            var onMetricsPort = metricsPort != 0 && context.Connection.LocalPort == metricsPort;
            if (onMetricsPort && context.Request.Path.Equals("/metrics", StringComparison.Ordinal))
            {
                return next(context);
            }

            if (onMetricsPort || context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        if (metricsPort != 0)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == metricsPort && context.Request.Path == "/metrics");
        }

        // Every per-address limit counts the client's address, forwarded only by a trusted proxy.
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        // Liveness: the process answers. Readiness: it can serve chat (cluster reachable, not draining).
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapChatSocket("/ws");
        return app;
    }

    /// <summary>The addresses Kestrel actually listens on (useful when the port was 0).</summary>
    public static IReadOnlyCollection<string> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
}
