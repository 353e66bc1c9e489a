using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;

namespace OrleansChat.Silo.Hosting;

/// <summary>
/// The one place a chat silo is configured; used by the Silo host and by WebFront's embedded mode.
/// </summary>
public static class ChatSiloExtensions
{
    /// <summary>Hosts a chat silo in this process: clustering, storage and streams chosen from configuration.</summary>
    public static IHostApplicationBuilder AddChatSilo(this IHostApplicationBuilder builder)
    {
        var options = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        builder.Services.AddChatLimits();
        builder.UseOrleans(silo =>
        {
            // Embedded/localhost mode: one silo, in-memory storage. Redis-backed cluster mode is configured here too
            // once it exists, so the Silo host and WebFront's embedded silo never drift apart.
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, null, options.ServiceId, options.ClusterId);
            silo.AddChatStorageAndStreams(options);
        });
        return builder;
    }

    /// <summary>Registers the validated <see cref="ChatLimits"/> (section <c>Chat:Limits</c>).</summary>
    public static IServiceCollection AddChatLimits(this IServiceCollection services)
    {
        services.AddOptions<ChatLimits>()
            .BindConfiguration(ChatLimits.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The grain storage and stream providers every chat silo needs (also used by test clusters).</summary>
    public static ISiloBuilder AddChatStorageAndStreams(this ISiloBuilder silo, ChatClusterOptions options)
    {
        silo.AddMemoryGrainStorage(ChatStreams.HistoryStorageName);
        silo.AddMemoryGrainStorage(ChatStreams.PubSubStorageName);
        silo.AddMemoryStreams(ChatStreams.ProviderName, streams =>
        {
            streams.ConfigurePartitioning(options.StreamQueueCount);
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = options.StreamPollPeriod));
        });
        return silo;
    }
}
