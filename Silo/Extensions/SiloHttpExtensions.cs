using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Dashboard;
using OrleansChat.Hosting;

namespace OrleansChat.Silo.Extensions;

/// <summary>
/// The silo host's own HTTP port: a health endpoint and the Orleans dashboard. Bound to loopback unless configured
/// otherwise; the dashboard (grain state, live logs) is served on another address only behind a password.
/// </summary>
public static class SiloHttpExtensions
{
    /// <summary>How often the dashboard samples counters.</summary>
    private const int DashboardUpdateIntervalMs = 5_000;

    private const string DashboardPath = "/dashboard";

    public static WebApplicationBuilder AddSiloDashboard(this WebApplicationBuilder builder)
    {
        var options = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrEmpty(urls))
        {
            if (!IPAddress.TryParse(options.DashboardAddress, out var address))
            {
                throw new InvalidOperationException($"Orleans:DashboardAddress '{options.DashboardAddress}' is not an IP address.");
            }

            var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            urls = $"http://{host}:{options.DashboardPort.ToString(CultureInfo.InvariantCulture)}";
            builder.WebHost.UseUrls(urls);
        }

        var serveDashboard = options.Dashboard && (OnlyLoopback(urls) || !string.IsNullOrEmpty(options.DashboardPassword));
        builder.Services.AddSingleton(new SiloDashboardState(serveDashboard, options));
        if (serveDashboard)
        {
            // The dashboard samples every meter (Orleans' included) on each update; at its default of once a second that
            // was ~10% of a busy silo's CPU (bench/results), so it refreshes every 5 s.
            builder.UseOrleans(silo => silo.AddDashboard(o => o.CounterUpdateIntervalMs = DashboardUpdateIntervalMs));
        }

        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapSiloDashboard(this WebApplication app)
    {
        var state = app.Services.GetRequiredService<SiloDashboardState>();
        app.MapHealthChecks("/healthz");
        if (!state.Served)
        {
            if (state.Options.Dashboard)
            {
                app.Logger.LogWarning(
                    "The Orleans dashboard is off: the silo's HTTP port listens beyond loopback and Orleans:DashboardPassword is not set (only /healthz is served)");
            }
            else
            {
                app.Logger.LogInformation("The Orleans dashboard is off (Orleans:Dashboard=false): only /healthz is served");
            }

            return app;
        }

        if (state.Options.DashboardPassword is { Length: > 0 } password)
        {
            var expected = Encoding.UTF8.GetBytes("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(state.Options.DashboardUser + ":" + password)));
            app.UseWhen(
                context => !context.Request.Path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase),
                branch => branch.Use((context, next) =>
                {
                    var given = Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
                    if (CryptographicOperations.FixedTimeEquals(given, expected))
                    {
                        return next(context);
                    }

                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"Orleans dashboard\", charset=\"UTF-8\"";
                    return Task.CompletedTask;
                }));
        }

        app.MapOrleansDashboard(DashboardPath);
        app.MapGet("/", () => Results.Redirect(DashboardPath));
        return app;
    }

    /// <summary>True when every URL listens on a loopback address only.</summary>
    internal static bool OnlyLoopback(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url =>
        {
            var host = BindingAddress.Parse(url).Host;
            return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        });

    private sealed record SiloDashboardState(bool Served, ChatClusterOptions Options);
}
