using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
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

        DecorateHistoryStorage(silo.Services);
    }

    /// <summary>Wraps the real history storage so a test can make writes fail (pass-through unless asked).</summary>
    private static void DecorateHistoryStorage(IServiceCollection services)
    {
        var name = ChatStreams.HistoryStorageName;
        var original = services.Last(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, name));
        var factory = original.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"Grain storage '{name}' is not registered with a factory.");
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new FaultInjectingGrainStorage((IGrainStorage)factory(sp, key)));
    }
}
