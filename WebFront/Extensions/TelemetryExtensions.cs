using OpenTelemetry.Metrics;
using OrleansChat.WebFront.Telemetry;

namespace OrleansChat.WebFront.Extensions;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics: chat (connections, frames, relayed and dropped events, relay latency), ASP.NET Core and
    /// Orleans meters. Scraped at <c>/metrics</c> (Prometheus text); also pushed over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddChatTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ChatMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel");
            metrics.AddPrometheusExporter();
            if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            {
                metrics.AddOtlpExporter();
            }
        });
        return builder;
    }
}
