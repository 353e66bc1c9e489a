using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;
using OrleansChat.Hosting;

namespace OrleansChat.Silo.Extensions;

/// <summary>The silo host's own HTTP port: the Orleans dashboard and a health endpoint.</summary>
public static class SiloHttpExtensions
{
    /// <summary>How often the dashboard samples counters.</summary>
    private const int DashboardUpdateIntervalMs = 5_000;

    public static WebApplicationBuilder AddSiloDashboard(this WebApplicationBuilder builder)
    {
        var options = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls("http://0.0.0.0:" + options.DashboardPort.ToString(CultureInfo.InvariantCulture));
        }

        // The dashboard samples every meter (Orleans' included) on each update; at its default of once a second that was
        // ~10% of a busy silo's CPU (bench/results), so it refreshes every 5 s.
        builder.UseOrleans(silo => silo.AddDashboard(o => o.CounterUpdateIntervalMs = DashboardUpdateIntervalMs));
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapSiloDashboard(this WebApplication app)
    {
        app.MapHealthChecks("/healthz");
        app.MapOrleansDashboard("/dashboard");
        app.MapGet("/", () => Results.Redirect("/dashboard"));
        return app;
    }
}
