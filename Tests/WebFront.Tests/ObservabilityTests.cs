namespace OrleansChat.WebFront.Tests;

[Collection(ServerFeedCollection.Name)]
public sealed class ObservabilityTests(ServerFeedFixture fixture)
{
    [Fact]
    public async Task ReadinessReportsAReachableCluster()
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var response = await http.GetAsync(new Uri("/ready", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void OrleansPerMessageHistogramsAreNotEnabledButItsOtherMetricsAre()
    {
        // The running WebFront's metrics pipeline listens to the Orleans meter by name: an instrument published
        // under it now is enabled or not exactly as Orleans' own are.
        using var meter = new System.Diagnostics.Metrics.Meter(OrleansChat.WebFront.Extensions.TelemetryExtensions.OrleansMeterName);
        var other = meter.CreateCounter<int>("orleans-test-some-counter");
        Assert.True(other.Enabled);
        foreach (var name in OrleansChat.WebFront.Extensions.TelemetryExtensions.OrleansPerMessageInstruments)
        {
            Assert.False(meter.CreateHistogram<int>(name).Enabled, name);
        }
    }

    [Fact]
    public async Task MetricsCountConnectionsFramesAndRelayedEvents()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _b = bob;
        await alice.SendChunkAsync("measured");
        await bob.NextOfTypeAsync("chunk");

        using var http = new HttpClient { BaseAddress = fixture.Host.MetricsAddress };
        string metrics = string.Empty;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        // The exporter's snapshot is refreshed on scrape; wait until it includes this traffic.
        while (DateTime.UtcNow < deadline && !metrics.Contains("chat_relay_latency", StringComparison.Ordinal))
        {
            metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }

        Assert.Contains("chat_connections", metrics, StringComparison.Ordinal);
        Assert.Contains("chat_frames_received", metrics, StringComparison.Ordinal);
        Assert.Contains("chat_frames_sent", metrics, StringComparison.Ordinal);
        Assert.Contains("chat_events_relayed", metrics, StringComparison.Ordinal);
        Assert.Contains("chat_relay_latency", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/METRICS")]
    [InlineData("/Metrics/")]
    [InlineData("/metrics/anything")]
    [InlineData("/%6Detrics")]
    public async Task ThePublicListenerNeverServesMetrics(string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("chat_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/ready")]
    [InlineData("/ws")]
    [InlineData("/METRICS")]
    public async Task TheMetricsListenerServesNothingElse(string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.MetricsAddress };
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void TheMetricsListenerIsOnLoopbackByDefault() => Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(fixture.Host.MetricsAddress!.Host)));
}
