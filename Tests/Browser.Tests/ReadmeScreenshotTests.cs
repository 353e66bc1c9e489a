using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ReadmeScreenshotTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const int Width = 640;
    private const int Height = 720;
    private const int Gap = 16;

    /// <summary>Two tabs side by side, each showing the other's half-typed message; the picture for the README.</summary>
    [Fact]
    public Task TwoTabsMidTypingMakeTheReadmeScreenshot() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = "lobby";
        var ada = await session.JoinAsync(room, "Ada", label: "ada");
        var grace = await session.JoinAsync(room, "Grace", label: "grace");
        await Expect(ada.ParticipantNamed("Grace")).ToHaveCountAsync(1);

        await ada.SendAsync("Hi Grace! Try typing something.");
        await Expect(grace.MessagesContaining("Try typing something")).ToHaveCountAsync(1);
        await grace.SendAsync("Wait, I can see your letters as you type them?");
        await Expect(ada.MessagesContaining("as you type them")).ToHaveCountAsync(1);

        const string adaDraft = "Yes: every keystroke goes through the room gr";
        const string graceDraft = "That is so much better than a little typing ind";
        await ada.TypeAsync(adaDraft);
        await grace.TypeAsync(graceDraft);
        await grace.ExpectDraftAsync("Ada", adaDraft);
        await ada.ExpectDraftAsync("Grace", graceDraft);

        var left = await ada.Page.ScreenshotAsync();
        var right = await grace.Page.ScreenshotAsync();

        // Put the two pictures side by side in a blank tab and photograph that.
        var canvas = await session.NewPageAsync(Width * 2 + Gap * 3, Height + Gap * 2);
        await canvas.SetContentAsync($"""
            <!doctype html>
            <html><body style="margin:0;padding:{Gap}px;background:#d0d4dc;display:flex;gap:{Gap}px">
            <img alt="Ada" style="width:{Width}px;height:{Height}px;box-shadow:0 2px 8px #0004" src="data:image/png;base64,{Convert.ToBase64String(left)}">
            <img alt="Grace" style="width:{Width}px;height:{Height}px;box-shadow:0 2px 8px #0004" src="data:image/png;base64,{Convert.ToBase64String(right)}">
            </body></html>
            """);
        await canvas.WaitForFunctionAsync("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)");

        Directory.CreateDirectory(BrowserSession.ScreenshotFolder);
        var file = Path.Combine(BrowserSession.ScreenshotFolder, "two-tabs-mid-typing.png");
        await canvas.ScreenshotAsync(new() { Path = file });
        Assert.True(new FileInfo(file).Length > 10_000, "The screenshot looks empty.");
        session.Log($"README screenshot: {file}");
    });
}
