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

    /// <summary>
    /// Settings that cannot work together stop the start with a message naming them: a silo hosted in-process cannot
    /// also be a client of static gateways; a stream queue read that waits as long as a grain call may take would
    /// time out instead of returning empty.
    /// </summary>
    [Theory]
    [InlineData("Orleans:HostSilo=true;Orleans:Gateways:0=127.0.0.1:30000", "Orleans:HostSilo", "Orleans:Gateways")]
    [InlineData("Orleans:StreamQueueWait=00:00:05;Orleans:ResponseTimeout=00:00:05", "Orleans:StreamQueueWait", "ResponseTimeout")]
    public void SettingsThatCannotWorkTogetherAreRefusedByName(string settings, string first, string second)
    {
        var pairs = settings.Split(';').Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);
        var error = Assert.Throws<OptionsValidationException>(() => HostsASilo(pairs));
        Assert.Contains(first, error.Message);
        Assert.Contains(second, error.Message);
    }

    private static bool HostsASilo(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddChatBackend();
        return builder.Services.Any(d => d.ServiceType == typeof(ILocalSiloDetails));
    }
}
