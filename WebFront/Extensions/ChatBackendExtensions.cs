using OrleansChat.Hosting;

namespace OrleansChat.WebFront.Extensions;

public static class ChatBackendExtensions
{
    /// <summary>
    /// Connects WebFront to the rooms: as an Orleans client of an existing cluster when <c>Orleans:Gateways</c>
    /// or <c>ConnectionStrings:Redis</c> is configured, otherwise by hosting a silo in this process (embedded mode,
    /// nothing else to run).
    /// </summary>
    public static IHostApplicationBuilder AddChatBackend(this IHostApplicationBuilder builder)
    {
        var cluster = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        var redis = builder.Configuration.GetConnectionString(ChatSiloExtensions.RedisConnectionName);
        if (cluster.Gateways.Length == 0 && string.IsNullOrWhiteSpace(redis))
        {
            return builder.AddChatSilo();
        }

        return builder.AddChatClient(client => client.UseConnectionRetryFilter<ClusterConnectionRetryFilter>());
    }
}
