using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class UntrustedTextTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Markup = "<img src=x onerror=alert(1)>";

    [Fact]
    public Task MarkupInANameOrATextIsShownAsLiteralText() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var mallory = await session.JoinAsync(room, Markup, label: "mallory");
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(mallory.ParticipantNamed("Bob")).ToHaveCountAsync(1);
        await Expect(bob.ParticipantNamed(Markup)).ToHaveCountAsync(1);

        await mallory.TypeAsync(Markup);
        await bob.ExpectDraftAsync(Markup, Markup);
        await Expect(bob.DraftOf(Markup)).ToBeVisibleAsync();
        await Expect(bob.DraftPanel.Locator("img")).ToHaveCountAsync(0);

        await mallory.Composer.PressAsync("Enter");
        await bob.SendAsync("Bob saw it");
        await Expect(mallory.MessagesContaining("Bob saw it")).ToHaveCountAsync(1);

        foreach (var tab in new[] { mallory, bob })
        {
            await Expect(tab.Messages).ToHaveCountAsync(2);
            var message = tab.Messages.First;
            await Expect(message).ToBeVisibleAsync();
            // Both the sender's name and the text are the markup, shown as characters.
            var shown = await message.TextContentAsync() ?? "";
            Assert.Equal(2, CountOf(shown, Markup));
            await Expect(tab.MessageLog.Locator("img")).ToHaveCountAsync(0);
            await Expect(tab.DraftPanel.Locator("img")).ToHaveCountAsync(0);
            await Expect(tab.ParticipantNamed(Markup)).ToBeVisibleAsync();
            await Expect(tab.Page.GetByRole(AriaRole.List, new() { Name = "Participants", Exact = true }).Locator("img")).ToHaveCountAsync(0);
        }

        Assert.Empty(session.Dialogs);
        // No image element was ever created, not even briefly: nothing asked for "x".
        Assert.DoesNotContain(session.Requests, url => new Uri(url).AbsolutePath.EndsWith("/x", StringComparison.Ordinal));
    });

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
