using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Grains.History;
using OrleansChat.Hosting;

namespace OrleansChat.Grains.Tests.Infrastructure;

/// <summary>Configures a test silo the way the real silo is configured, with a short stream poll period.</summary>
internal static class ChatTestSilo
{
    public static void Configure(ISiloBuilder silo, Action<ChatLimits>? limits = null)
    {
        silo.AddChatStorageAndStreams(new ChatClusterOptions { StreamPollPeriod = TimeSpan.FromMilliseconds(5) });
        silo.Services.AddChatLimits();
        if (limits is not null)
        {
            silo.Services.Configure(limits);
        }

        DecorateHistoryStore(silo.Services);
    }

    /// <summary>Wraps the real history store so a test can make its calls fail (pass-through unless asked).</summary>
    private static void DecorateHistoryStore(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IRoomHistoryStore));
        var factory = original.ImplementationFactory
            ?? throw new InvalidOperationException("The history store is not registered with a factory.");
        services.Remove(original);
        services.AddSingleton<IRoomHistoryStore>(sp => new FaultInjectingHistoryStore((IRoomHistoryStore)factory(sp)));
    }
}
