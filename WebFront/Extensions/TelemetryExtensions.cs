using OpenTelemetry.Metrics;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Extensions;

public static class TelemetryExtensions
{
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>Orleans instruments recorded for every message sent and received (Chat:Metrics:OrleansMessageSizes).</summary>
    public static readonly IReadOnlyList<string> OrleansPerMessageInstruments =
        ["orleans-messaging-sent-messages-size", "orleans-messaging-received-messages-size"];

    /// <summary>
    /// OpenTelemetry metrics: chat (connections, frames, relayed and dropped events, relay latency), ASP.NET Core and
    /// Orleans meters. Scraped at <c>/metrics</c> (Prometheus text); also pushed over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddChatTelemetry(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(MetricsEndpointOptions.SectionName).Get<MetricsEndpointOptions>() ?? new MetricsEndpointOptions();
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ChatMetrics.MeterName, OrleansMeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            if (!options.OrleansMessageSizes)
            {
                // A dropped instrument is never enabled, so Orleans skips recording it (it checks Enabled per message).
                foreach (var name in OrleansPerMessageInstruments)
                {
                    metrics.AddView(name, MetricStreamConfiguration.Drop);
                }
            }

            metrics.AddPrometheusExporter();
            if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            {
                metrics.AddOtlpExporter();
            }
        });
        return builder;
    }
}
