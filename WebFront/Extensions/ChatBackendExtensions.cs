using Microsoft.Extensions.Options;
using OrleansChat.Hosting;

namespace OrleansChat.WebFront.Extensions;

public static class ChatBackendExtensions
{
    /// <summary>
    /// Connects WebFront to the rooms: by hosting a silo in this process when <c>Orleans:HostSilo</c> is set
    /// (co-hosted; with <c>ConnectionStrings:Redis</c> the silo joins that cluster) or when nothing else is configured
    /// (embedded mode, nothing else to run); otherwise as an Orleans client of an existing cluster
    /// (<c>Orleans:Gateways</c> or <c>ConnectionStrings:Redis</c>).
    /// </summary>
    public static IHostApplicationBuilder AddChatBackend(this IHostApplicationBuilder builder)
    {
        var cluster = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        var redis = builder.Configuration.GetConnectionString(ChatSiloExtensions.RedisConnectionName);
        if (cluster.HostSilo && cluster.Gateways.Length > 0)
        {
            throw new OptionsValidationException(
                ChatClusterOptions.SectionName,
                typeof(ChatClusterOptions),
                ["Orleans:HostSilo hosts a silo in this process; Orleans:Gateways connects to other silos as a client. Set one of them."]);
        }

        if (cluster.HostSilo || (cluster.Gateways.Length == 0 && string.IsNullOrWhiteSpace(redis)))
        {
            return builder.AddChatSilo();
        }

        return builder.AddChatClient(client => client.UseConnectionRetryFilter<ClusterConnectionRetryFilter>());
    }
}
