using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrleansChat.WebFront.Extensions;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// How WebFront reaches the rooms follows its configuration: a silo in this process (embedded, or co-hosted in a
/// Redis cluster with <c>Orleans:HostSilo</c>) or a client of separate silos. Nothing is started here; the
/// process-cluster tests run each shape for real.
/// </summary>
public sealed class BackendChoiceTests
{
    [Fact]
    public void NothingConfiguredHostsASilo() =>
        Assert.True(HostsASilo(new Dictionary<string, string?>()));

    [Fact]
    public void RedisAloneMakesWebFrontAClientOfSeparateSilos() =>
        Assert.False(HostsASilo(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "127.0.0.1:6379" }));

    [Fact]
    public void HostSiloWithRedisJoinsTheClusterAsASilo() =>
        Assert.True(HostsASilo(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
            ["Orleans:HostSilo"] = "true",
        }));

    [Fact]
    public void HostSiloWithStaticGatewaysIsRefusedWithAClearMessage()
    {
        var error = Assert.Throws<OptionsValidationException>(() => HostsASilo(new Dictionary<string, string?>
        {
            ["Orleans:HostSilo"] = "true",
            ["Orleans:Gateways:0"] = "127.0.0.1:30000",
        }));
        Assert.Contains("Orleans:HostSilo", error.Message);
        Assert.Contains("Orleans:Gateways", error.Message);
    }

    [Fact]
    public void AStreamQueueWaitAsLongAsTheResponseTimeoutIsRefused()
    {
        // Every queue read would time out instead of returning empty.
        var error = Assert.Throws<OptionsValidationException>(() => HostsASilo(new Dictionary<string, string?>
        {
            ["Orleans:StreamQueueWait"] = "00:00:05",
            ["Orleans:ResponseTimeout"] = "00:00:05",
        }));
        Assert.Contains("Orleans:StreamQueueWait", error.Message);
        Assert.Contains("ResponseTimeout", error.Message);
    }

    private static bool HostsASilo(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddChatBackend();
        return builder.Services.Any(d => d.ServiceType == typeof(ILocalSiloDetails));
    }
}
