using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OrleansChat.Hosting;

/// <summary>
/// How long the host gives its services to stop after SIGTERM (a WebFront's drain, a silo leaving the cluster) before
/// it gives up: explicit, and shorter than every orchestrator's grace period before SIGKILL (Docker's stop timeout in
/// docker-compose.yml and the instances' start-up script: 30 s), so the process always ends by itself. .NET's own
/// default (30 s) equals that grace period, so SIGKILL could land mid-drain.
/// </summary>
public static class HostShutdown
{
    /// <summary>The setting (<c>Chat__ShutdownTimeout</c>, a TimeSpan such as <c>00:00:20</c>).</summary>
    public const string TimeoutKey = "Chat:ShutdownTimeout";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(5);

    /// <summary>Sets <see cref="HostOptions.ShutdownTimeout"/> from <see cref="TimeoutKey"/>, else <see cref="DefaultTimeout"/>.</summary>
    public static IHostApplicationBuilder AddChatShutdownTimeout(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var timeout = Timeout(builder.Configuration);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = timeout);
        return builder;
    }

    /// <summary>The configured timeout, validated (1 s to 5 min), or the default.</summary>
    public static TimeSpan Timeout(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[TimeoutKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultTimeout;
        }

        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var timeout) || timeout < Shortest || timeout > Longest)
        {
            throw new OptionsValidationException(TimeoutKey, typeof(HostOptions),
                [$"{TimeoutKey} must be a time span from 00:00:01 to 00:05:00 (shorter than the orchestrator's stop timeout); got '{text}'."]);
        }

        return timeout;
    }
}
