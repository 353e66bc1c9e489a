using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansChat.Hosting;
using OrleansChat.WebFront.Protocol;
using OrleansChat.WebFront.Rooms;
using OrleansChat.WebFront.Sockets;

namespace OrleansChat.WebFront.Extensions;

public static class ChatSocketExtensions
{
    /// <summary>Registers the WebSocket endpoint's and the relay's options (validated at start) and services.</summary>
    public static IHostApplicationBuilder AddChatSockets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatSocketOptions>()
            .BindConfiguration(ChatSocketOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var waitingQueues = builder.Configuration.GetValue(
            $"{ChatClusterOptions.SectionName}:{nameof(ChatClusterOptions.StreamQueues)}", StreamQueues.Waiting) == StreamQueues.Waiting;
        builder.Services.AddOptions<RelayOptions>()
            .BindConfiguration(RelayOptions.SectionName)
            // Unset: queue taps where they can feed the feeds (one feed per room, waiting queues), else subscriptions.
            .PostConfigure(relay => relay.Source ??= relay.FeedScope == FeedScope.Server && waitingQueues ? FeedSource.QueueTap : FeedSource.Subscription)
            .ValidateDataAnnotations()
            .Validate(
                relay => relay.Source != FeedSource.QueueTap || relay.FeedScope == FeedScope.Server,
                "Chat:Relay:Source=QueueTap hands each room's events to the room's one feed on this WebFront: it needs Chat:Relay:FeedScope=Server.")
            .Validate(
                relay => relay.Source != FeedSource.QueueTap || waitingQueues,
                "Chat:Relay:Source=QueueTap reads the waiting stream queues: it needs Orleans:StreamQueues=Waiting.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RoomFeeds>();
        builder.Services.AddSingleton<NewRoomLimiter>();
        builder.Services.AddSingleton<OriginPolicy>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<RefusalLog>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerIdentity>();
        builder.Services.AddSingleton<ChatSocketHandler>();
        builder.Services.AddSingleton<EventFrameCache>(_ => new EventFrameCache());
        // After the Orleans client or silo: hosted services stop in reverse order, so sockets say goodbye first, while
        // the queue taps (if used) still relay, as stream subscriptions do until the client stops.
        builder.Services.AddSingleton<QueueTapRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueTapRelay>());
        builder.Services.AddHostedService<GracefulShutdown>();
        builder.Services.AddHostedService<PresenceLeases>();
        return builder;
    }

    /// <summary>Maps the chat WebSocket endpoint.</summary>
    public static IEndpointConventionBuilder MapChatSocket(this WebApplication app, string pattern)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChatSocketOptions>>().Value;
        // Pings with a deadline: a client that vanished without a TCP close is aborted after interval + timeout.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout });
        return app.Map(pattern, (HttpContext context, ChatSocketHandler handler) => handler.HandleAsync(context));
    }
}
