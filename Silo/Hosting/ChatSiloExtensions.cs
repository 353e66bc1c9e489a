using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansChat.Grains.History;
using OrleansChat.Grains.Placement;
using OrleansChat.Grains.Streaming;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

/// <summary>
/// The one place a chat silo is configured; used by the Silo host and by WebFront's embedded mode.
/// </summary>
public static class ChatSiloExtensions
{
    /// <summary>The configuration key of the Redis connection string that switches on cluster mode.</summary>
    public const string RedisConnectionName = "Redis";

    /// <summary>The in-memory history store of each test cluster (by cluster id), shared by its in-process silos.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, MemoryRoomHistoryStore> SharedMemoryStores = new(StringComparer.Ordinal);

    /// <summary>
    /// Hosts a chat silo in this process. Without a Redis connection string: one localhost silo with in-memory
    /// storage (embedded/dev mode). With <c>ConnectionStrings:Redis</c>: Redis membership, Redis grain storage for
    /// history and stream pub-sub state, listening on all interfaces and advertising a routable address.
    /// </summary>
    public static IHostApplicationBuilder AddChatSilo(this IHostApplicationBuilder builder)
    {
        var options = ValidatedOptions.Bind<ChatClusterOptions>(builder.Configuration, ChatClusterOptions.SectionName);
        var redis = builder.Configuration.GetConnectionString(RedisConnectionName);
        var limits = ValidatedOptions.Bind<ChatLimits>(builder.Configuration, ChatLimits.SectionName);
        builder.Services.AddChatLimits();
        builder.AddChatShutdownTimeout();
        builder.UseOrleans(silo =>
        {
            if (string.IsNullOrWhiteSpace(redis))
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, null, options.ServiceId, options.ClusterId);
                silo.AddMemoryGrainStorage(ChatStreams.HistoryStorageName);
                silo.AddMemoryGrainStorage(ChatStreams.PubSubStorageName);
                silo.Services.AddSingleton<IRoomHistoryStore, MemoryRoomHistoryStore>();
            }
            else
            {
                var redisOptions = RedisConfiguration.Parse(redis, "silo");
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
                silo.ConfigureEndpoints(AdvertisedAddress.Resolve(options.AdvertisedIP), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                // One Redis connection for the whole silo (SiloRedisConnection): membership, both grain storages and
                // history share it instead of opening four.
                var connection = silo.Services.AddSiloRedisConnection(redisOptions);
                silo.UseRedisClustering(o =>
                {
                    o.ConfigurationOptions = redisOptions.Clone();
                    o.CreateMultiplexer = _ => connection.SharedAsync();
                });
                // The previous version's room records: read once to migrate them, then deleted (not left empty).
                silo.AddRedisGrainStorage(ChatStreams.HistoryStorageName, o =>
                {
                    o.ConfigurationOptions = redisOptions.Clone();
                    o.CreateMultiplexer = _ => connection.SharedAsync();
                    o.DeleteStateOnClear = true;
                });

                // A room's stream pub-sub record is never deleted by Orleans (the pulling agent stays registered as its
                // producer until the silo stops), so without an expiry every room ever used leaves one behind. It expires
                // with the room (renewed on every write of it); docs/history.md says what happens to a stream that
                // outlives it.
                silo.AddRedisGrainStorage(ChatStreams.PubSubStorageName, o =>
                {
                    o.ConfigurationOptions = redisOptions.Clone();
                    o.CreateMultiplexer = _ => connection.SharedAsync();
                    o.DeleteStateOnClear = true;
                    o.EntryExpiry = limits.RoomExpiry;
                });
                silo.Services.AddRedisHistory(options.ServiceId);
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    // Measured (DESIGN.md): 1 s x 2 missed probes notices a killed silo in 0.6-2.6 s; defaults take 12-18 s.
                    o.ProbeTimeout = options.ProbeTimeout;
                    o.NumMissedProbesLimit = options.NumMissedProbesLimit;
                });
            }

            silo.Configure<SiloMessagingOptions>(o =>
            {
                o.ResponseTimeout = options.ResponseTimeout;
                o.ClientDropTimeout = options.ClientDropTimeout;
            });
            if (options.IOQueueCount is { } ioQueues)
            {
                silo.Configure<Orleans.Networking.Shared.SocketConnectionOptions>(o => o.IOQueueCount = ioQueues);
            }

            // The chat's stateless workers (health, lease renewal) are one or two per silo: look for idle ones every
            // 10 s, not every 500 ms (each look is a timer wake-up of an otherwise idle silo; docs/measurements.md).
            silo.Configure<StatelessWorkerOptions>(o => o.IdleWorkersInspectionPeriod = TimeSpan.FromSeconds(10));

            silo.AddChatStreams(options);
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

    /// <summary>
    /// The silo's one Redis connection (<see cref="SiloRedisConnection"/>), opened while the silo starts and disposed
    /// with its services. Returned so the Orleans Redis providers can be handed it as their shared multiplexer.
    /// </summary>
    public static SiloRedisConnection AddSiloRedisConnection(this IServiceCollection services, ConfigurationOptions redis)
    {
        var connection = new SiloRedisConnection(redis);
        services.AddSingleton(_ => connection); // made by a factory, so the container disposes it
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloRedisConnection>());
        return connection;
    }

    /// <summary>
    /// Room history in Redis (<see cref="RedisRoomHistoryStore"/>) on the silo's connection
    /// (<see cref="AddSiloRedisConnection"/>, registered first), keys prefixed with the service id so deployments sharing
    /// a Redis never meet.
    /// </summary>
    public static IServiceCollection AddRedisHistory(this IServiceCollection services, string keyPrefix)
    {
        services.AddSingleton<IRoomHistoryStore>(sp => new RedisRoomHistoryStore(
            sp.GetRequiredService<SiloRedisConnection>().Connection,
            sp.GetRequiredService<IOptions<ChatLimits>>(),
            sp.GetRequiredService<TimeProvider>(),
            keyPrefix));
        return services;
    }

    /// <summary>
    /// In-memory storage plus the chat streams: what a test cluster's silos need. The silos of one test cluster run in
    /// one process and share one in-memory history store (keyed by cluster id), so a room keeps its history when it
    /// moves between them, as it would with Redis.
    /// </summary>
    public static ISiloBuilder AddChatStorageAndStreams(this ISiloBuilder silo, ChatClusterOptions options)
    {
        silo.AddMemoryGrainStorage(ChatStreams.HistoryStorageName);
        silo.AddMemoryGrainStorage(ChatStreams.PubSubStorageName);
        silo.Services.AddSingleton<IRoomHistoryStore>(sp => SharedMemoryStores.GetOrAdd(
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId,
            _ => new MemoryRoomHistoryStore(sp.GetRequiredService<IOptions<ChatLimits>>(), sp.GetRequiredService<TimeProvider>())));
        return silo.AddChatStreams(options);
    }


    /// <summary>
    /// The room event streams. <see cref="StreamQueues.Waiting"/> (the default): queues whose pulling agent waits for
    /// the next batch (<see cref="WaitingQueueAdapterFactory"/>); <see cref="StreamQueues.Polled"/>: Orleans' memory
    /// streams, polled every <see cref="ChatClusterOptions.StreamPollPeriod"/>. Clients register the same provider
    /// (<see cref="ChatClientExtensions"/>).
    /// </summary>
    public static ISiloBuilder AddChatStreams(this ISiloBuilder silo, ChatClusterOptions options)
    {
        // Every silo needs the director of the room grain's placement strategy, whichever queues carry the streams.
        silo.Services.AddPlacementDirector<StreamQueuePlacement, StreamQueuePlacementDirector>();
        silo.Services.Configure<StreamQueuePlacementOptions>(o =>
            o.Enabled = options.StreamQueues == StreamQueues.Waiting && options.RoomPlacement == RoomPlacement.StreamQueue);
        if (options.StreamQueues == StreamQueues.Polled)
        {
            return silo.AddMemoryStreams(ChatStreams.ProviderName, streams =>
            {
                streams.ConfigurePartitioning(options.StreamQueueCount);
                streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = options.StreamPollPeriod));
                ConfigureBalancer(streams, options);
            });
        }

        ConfigureWaitingQueues(silo.Services, options);
        return silo.AddPersistentStreams(ChatStreams.ProviderName, WaitingQueueAdapterFactory.Create, streams =>
        {
            // An agent whose read came back empty (a wait ended) reads again after this period; while a read waits,
            // the agent's timer does not tick at all.
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = options.StreamPollPeriod));
            ConfigureBalancer(streams, options);
        });
    }

    private static void ConfigureBalancer(ISiloPersistentStreamConfigurator streams, ChatClusterOptions options)
    {
        if (options.QueueBalancer == QueueBalancer.Even)
        {
            streams.ConfigurePartitionBalancing(EvenQueueBalancer.Create);
        }
    }

    /// <summary>The waiting queues' settings, the same on silos and clients.</summary>
    internal static void ConfigureWaitingQueues(IServiceCollection services, ChatClusterOptions options)
    {
        services.Configure<HashRingStreamQueueMapperOptions>(ChatStreams.ProviderName, o => o.TotalQueueCount = options.StreamQueueCount);
        services.Configure<WaitingQueueOptions>(ChatStreams.ProviderName, o => o.Wait = options.StreamQueueWait);
    }
}
