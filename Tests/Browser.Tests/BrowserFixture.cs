namespace OrleansChat.Browser.Tests;

/// <summary>
/// One headless Chromium (Debian's, never a downloaded one), a 1-silo cluster over TCP, and a WebFront that is an
/// Orleans client of it on a fixed loopback port. Because the rooms live in the silo, a WebFront can be stopped
/// and started again on the same port without losing history (see <see cref="StartWebFrontAsync"/>).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Chromium is; <c>scripts/test.sh</c> exports <c>CHROMIUM_PATH</c>.</summary>
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private ChatTestCluster _cluster = null!;
    private IPlaywright _playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The WebFront most tests use (each test in its own room).</summary>
    public WebFrontHost WebFront { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}. Install Debian's package (apt-get install chromium) or set CHROMIUM_PATH; "
                + "scripts/test.sh does this. These tests never download a browser.");
        }

        // Failure pictures of an earlier run would only mislead.
        var failures = Path.Combine(BrowserSession.ScreenshotFolder, "failures");
        if (Directory.Exists(failures))
        {
            Directory.Delete(failures, recursive: true);
        }

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(10_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-quic",
            ],
        });

        _cluster = await ChatTestCluster.StartAsync(1);
        WebFront = await StartWebFrontAsync(FreePort.Next());
    }

    /// <summary>A WebFront (Orleans client of the test silo) listening on <paramref name="port"/>.</summary>
    public Task<WebFrontHost> StartWebFrontAsync(int port) => _cluster.StartWebFrontOnPortAsync(0, port);

    public async Task DisposeAsync()
    {
        if (WebFront is not null)
        {
            await WebFront.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
