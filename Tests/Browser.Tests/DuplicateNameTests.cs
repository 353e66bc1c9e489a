using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

/// <summary>Issue 12: two tabs that chose the same name can be told apart by everyone, everywhere the name shows.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class DuplicateNameTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [GeneratedRegex("^Ana · [0-9a-f]{4}$")]
    private static partial Regex TaggedAna();

    [Fact]
    public Task TwoTabsNamedTheSameAreDistinguishable() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        var first = await session.JoinAsync(room, "Ana", label: "ana-1");
        await Expect(bob.ParticipantNamed("Ana")).ToHaveCountAsync(1);
        await Expect(bob.ParticipantNamed("Ana")).ToHaveTextAsync("Ana"); // one Ana: no tag

        // A second Ana (joined by hand: ChatPage.JoinAsync expects its name once in the roster).
        var page = await session.NewPageAsync();
        var second = new ChatPage(page, "Ana", "ana-2");
        await page.GotoAsync($"{fixture.WebFront.BaseAddress.ToString().TrimEnd('/')}/?room={room}");
        await second.NameForm.GetByRole(AriaRole.Textbox, new() { Name = "Display name", Exact = true }).FillAsync("Ana");
        await second.NameForm.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await Expect(second.Status).ToHaveTextAsync("Live");

        // Everyone's roster shows two tagged Anas, and the tags differ.
        var firstTag = await OwnTagAsync(first);
        var secondTag = await OwnTagAsync(second);
        Assert.NotEqual(firstTag, secondTag);
        foreach (var tab in new[] { bob, first, second })
        {
            var anas = tab.ParticipantNamed("Ana");
            await Expect(anas).ToHaveCountAsync(2);
            await Expect(anas).ToHaveTextAsync([TaggedAna(), TaggedAna()]);
            await Expect(tab.ParticipantNamed($"Ana · {firstTag}")).ToHaveCountAsync(1);
            await Expect(tab.ParticipantNamed($"Ana · {secondTag}")).ToHaveCountAsync(1);
        }

        // Messages and live drafts carry the tag of the tab they came from.
        await first.SendAsync("I am the first Ana");
        await second.TypeAsync("And I am the other");
        var message = bob.MessagesContaining("I am the first Ana");
        await Expect(message.Locator(".who")).ToHaveTextAsync($"Ana · {firstTag}");
        await Expect(bob.Drafts.Filter(new() { HasText = $"Ana · {secondTag} is typing" })).ToHaveCountAsync(1);
        await Expect(second.MessagesContaining("I am the first Ana").Locator(".who")).ToHaveTextAsync($"Ana · {firstTag}");

        // When the second Ana leaves, the name is no longer shared and the tags go.
        await second.Page.CloseAsync();
        await Expect(bob.Participants).ToHaveCountAsync(2);
        await Expect(bob.ParticipantNamed("Ana")).ToHaveTextAsync("Ana");
        await Expect(message.Locator(".who")).ToHaveTextAsync("Ana");
    });

    /// <summary>The tag a tab shows on its own "You are …" line.</summary>
    private static async Task<string> OwnTagAsync(ChatPage tab)
    {
        var tag = tab.Page.Locator(".me [data-name-tag]");
        await Expect(tag).ToHaveCountAsync(1);
        return await tag.GetAttributeAsync("data-name-tag") ?? throw new InvalidOperationException("no tag");
    }
}
