using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansChat.Grains.Streaming;

namespace OrleansChat.Hosting;

/// <summary>
/// The one place an Orleans client of a chat cluster is configured (WebFront in cluster mode): the counterpart of
/// <see cref="ChatSiloExtensions"/>, with the same options, cluster ids and stream provider.
/// </summary>
public static class ChatClientExtensions
{
    /// <summary>
    /// Makes this process an Orleans client of a chat cluster. Gateways come from <c>Orleans:Gateways</c> when set,
    /// else from Redis membership (<c>ConnectionStrings:Redis</c>). <paramref name="configure"/> adds what only the
    /// caller knows (for example its connection retry filter).
    /// </summary>
    public static IHostApplicationBuilder AddChatClient(this IHostApplicationBuilder builder, Action<IClientBuilder>? configure = null)
    {
        var options = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        var redis = builder.Configuration.GetConnectionString(ChatSiloExtensions.RedisConnectionName);
        // Parsed (and resolved) here, so a bad gateway fails the start with its own message.
        var gateways = options.Gateways.Select(GatewayEndpoint.Parse).ToArray();
        if (gateways.Length == 0 && string.IsNullOrWhiteSpace(redis))
        {
            throw new OptionsValidationException(ChatClusterOptions.SectionName, typeof(ChatClusterOptions),
                ["An Orleans client of the chat cluster needs Orleans:Gateways or ConnectionStrings:Redis."]);
        }

        builder.Services.AddChatLimits();
        builder.AddChatShutdownTimeout();
        builder.UseOrleansClient(client =>
        {
            if (gateways.Length > 0)
            {
                client.UseStaticClustering(gateways);
            }
            else
            {
                var redisOptions = RedisConfiguration.Parse(redis!, "client");
                client.UseRedisClustering(o => o.ConfigurationOptions = redisOptions);
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            // Calls through a dead gateway otherwise wait 30 s for their response (DESIGN.md).
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
            if (options.IOQueueCount is { } ioQueues)
            {
                client.Configure<Orleans.Networking.Shared.SocketConnectionOptions>(o => o.IOQueueCount = ioQueues);
            }

            // The same provider name as the silos' streams, else "Stream provider ... not found" (DESIGN.md).
            client.AddChatStreams(options);
            configure?.Invoke(client);
        });
        return builder;
    }

    /// <summary>The room streams' provider as the silos have it (<see cref="ChatSiloExtensions.AddChatStreams"/>).</summary>
    public static IClientBuilder AddChatStreams(this IClientBuilder client, ChatClusterOptions options)
    {
        if (options.StreamQueues == StreamQueues.Polled)
        {
            return client.AddMemoryStreams(ChatStreams.ProviderName);
        }

        ChatSiloExtensions.ConfigureWaitingQueues(client.Services, options);
        return client.AddPersistentStreams(ChatStreams.ProviderName, WaitingQueueAdapterFactory.Create, _ => { });
    }
}
