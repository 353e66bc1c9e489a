using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace OrleansChat.Browser.Tests;

/// <summary>
/// The tabs of one test. Every tab gets its own <see cref="IBrowserContext"/> (own localStorage, like another
/// browser profile). Dialogs, page errors and requests are recorded; when the test fails every tab is
/// photographed (and its HTML saved) under <c>screenshots/failures/</c> next to the test binaries.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public static readonly string ScreenshotFolder = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly BrowserFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _testName;
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<ChatPage> _pages = [];
    private readonly List<WebFrontHost> _webFronts = [];
    private readonly ConcurrentQueue<string> _dialogs = new();
    private readonly ConcurrentQueue<string> _requests = new();

    private BrowserSession(BrowserFixture fixture, ITestOutputHelper output, string testName)
    {
        _fixture = fixture;
        _output = output;
        _testName = testName;
    }

    /// <summary>Every JavaScript dialog (alert, confirm, prompt) any tab opened.</summary>
    public IReadOnlyCollection<string> Dialogs => _dialogs;

    /// <summary>Every URL any tab requested.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>A fresh room name (each test uses its own).</summary>
    public static string NewRoom() => "b-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs a browser scenario; on failure saves a screenshot of every tab, then rethrows.</summary>
    public static async Task RunAsync(BrowserFixture fixture, ITestOutputHelper output, Func<BrowserSession, Task> scenario,
        [CallerMemberName] string testName = "")
    {
        await using var session = new BrowserSession(fixture, output, testName);
        try
        {
            await scenario(session);
        }
        catch
        {
            await session.CaptureFailureAsync();
            throw;
        }
    }

    /// <summary>Opens a tab on <c>/?room=…</c> (or <c>/#…</c>) of <paramref name="server"/> and joins as <paramref name="name"/>.</summary>
    public async Task<ChatPage> JoinAsync(string room, string name, Uri? server = null, bool hashRoute = false, string? label = null)
    {
        var page = await NewPageAsync();
        var chat = new ChatPage(page, name, label ?? $"tab{_pages.Count + 1}");
        _pages.Add(chat);
        var baseAddress = (server ?? _fixture.WebFront.BaseAddress).ToString().TrimEnd('/');
        await chat.JoinAsync(hashRoute ? $"{baseAddress}/#{room}" : $"{baseAddress}/?room={Uri.EscapeDataString(room)}");
        return chat;
    }

    /// <summary>
    /// A WebFront of this test's own on <paramref name="port"/> (an Orleans client of the shared silo), stopped at
    /// the end of the test, after any failure screenshot.
    /// </summary>
    public async Task<WebFrontHost> StartWebFrontAsync(int port)
    {
        var host = await _fixture.StartWebFrontAsync(port);
        _webFronts.Add(host);
        return host;
    }

    /// <summary>Stops a WebFront started by <see cref="StartWebFrontAsync"/>.</summary>
    public async Task StopWebFrontAsync(WebFrontHost host)
    {
        _webFronts.Remove(host);
        await host.DisposeAsync();
    }

    /// <summary>A blank tab in its own context (for composing pictures).</summary>
    public async Task<IPage> NewPageAsync(int width = 640, int height = 720)
    {
        var context = await _fixture.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = height },
            Locale = "en-US",
        });
        _contexts.Add(context);
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) =>
        {
            _dialogs.Enqueue($"{dialog.Type}: {dialog.Message}");
            await dialog.DismissAsync();
        };
        page.Request += (_, request) => _requests.Enqueue(request.Url);
        page.PageError += (_, error) => Log($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Log($"console {message.Type}: {message.Text}");
            }
        };
        return page;
    }

    public void Log(string line)
    {
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished (late browser event); nothing to write to.
        }
    }

    private async Task CaptureFailureAsync()
    {
        var folder = Path.Combine(ScreenshotFolder, "failures");
        Directory.CreateDirectory(folder);
        foreach (var chat in _pages)
        {
            var file = Path.Combine(folder, $"{_testName}-{chat.Label}");
            try
            {
                await chat.Page.ScreenshotAsync(new() { Path = file + ".png", FullPage = true, Timeout = 5_000 });
                await File.WriteAllTextAsync(file + ".html", await chat.Page.ContentAsync());
                Log($"failure screenshot of {chat.Label} ({chat.Name}): {file}.png");
            }
            catch (PlaywrightException ex)
            {
                Log($"no screenshot of {chat.Label}: {ex.Message}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        foreach (var host in _webFronts)
        {
            await host.DisposeAsync();
        }
    }
}
