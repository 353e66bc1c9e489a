using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansChat.Silo.Hosting;

namespace OrleansChat.WebFront.Extensions;

public static class ChatBackendExtensions
{
    /// <summary>
    /// Connects WebFront to the rooms: as an Orleans client of an existing cluster when <c>Orleans:Gateways</c>
    /// is configured, otherwise by hosting a silo in this process (embedded mode, nothing else to run).
    /// </summary>
    public static IHostApplicationBuilder AddChatBackend(this IHostApplicationBuilder builder)
    {
        var cluster = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        var redis = builder.Configuration.GetConnectionString(ChatSiloExtensions.RedisConnectionName);
        if (cluster.Gateways.Length == 0 && string.IsNullOrWhiteSpace(redis))
        {
            return builder.AddChatSilo();
        }

        var gateways = cluster.Gateways.Select(ParseGateway).ToArray();
        builder.Services.AddChatLimits();
        builder.UseOrleansClient(client =>
        {
            if (gateways.Length > 0)
            {
                client.UseStaticClustering(gateways);
            }
            else
            {
                var redisOptions = RedisConfiguration.Parse(redis!);
                client.UseRedisClustering(o => o.ConfigurationOptions = redisOptions);
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // Calls through a dead gateway otherwise wait 30 s for their response (DESIGN.md).
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            client.UseConnectionRetryFilter<ClusterConnectionRetryFilter>();
            client.AddMemoryStreams(ChatStreams.ProviderName);
        });
        return builder;
    }

    private static IPEndPoint ParseGateway(string gateway)
    {
        var separator = gateway.LastIndexOf(':');
        if (separator <= 0 || !int.TryParse(gateway.AsSpan(separator + 1), out var port) || port is < 1 or > 65535)
        {
            throw new OptionsValidationException(ChatClusterOptions.SectionName, typeof(ChatClusterOptions),
                [$"Orleans:Gateways: '{gateway}' is not host:port."]);
        }

        var host = gateway[..separator].Trim('[', ']');
        var address = IPAddress.TryParse(host, out var ip)
            ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new OptionsValidationException(ChatClusterOptions.SectionName, typeof(ChatClusterOptions),
                  [$"Orleans:Gateways: host '{host}' has no IPv4 address."]);
        return new IPEndPoint(address, port);
    }
}
