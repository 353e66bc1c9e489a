using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class LiveDraftTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task TheOtherTabShowsTheExactDraftWhileItIsTypedEditedAndPasted() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(alice.ParticipantNamed("Bob")).ToHaveCountAsync(1);

        await alice.TypeAsync("Hello wor");
        await bob.ExpectDraftAsync("Alice", "Hello wor");
        await Expect(bob.DraftOf("Alice")).ToHaveAttributeAsync("data-connection-id", new Regex(@"\S"));
        await Expect(bob.Messages).ToHaveCountAsync(0);

        for (var i = 0; i < 3; i++)
        {
            await alice.Composer.PressAsync("Backspace");
        }

        await bob.ExpectDraftAsync("Alice", "Hello ");

        // A paste: the text arrives at once, not key by key.
        await alice.Page.Keyboard.InsertTextAsync(" pasted words");
        await bob.ExpectDraftAsync("Alice", "Hello  pasted words");

        // Shift+Enter adds a line to the draft; nothing is sent.
        await alice.Composer.PressAsync("Shift+Enter");
        await alice.TypeAsync("second line");
        await bob.ExpectDraftAsync("Alice", "Hello  pasted words\nsecond line");
        await Expect(alice.Composer).ToHaveValueAsync("Hello  pasted words\nsecond line");

        // Only the other participant's draft is listed, never your own.
        await Expect(bob.Drafts).ToHaveCountAsync(1);
        await Expect(alice.Drafts).ToHaveCountAsync(0);
        await Expect(alice.Messages).ToHaveCountAsync(0);
        await Expect(bob.Messages).ToHaveCountAsync(0);
    });

    [Fact]
    public Task EscapeCancelsTheDraftInEveryTab() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(alice.ParticipantNamed("Bob")).ToHaveCountAsync(1);

        await alice.TypeAsync("never mind");
        await bob.ExpectDraftAsync("Alice", "never mind");

        await alice.Composer.PressAsync("Escape");
        await Expect(bob.DraftOf("Alice")).ToHaveCountAsync(0);
        await Expect(alice.Composer).ToHaveValueAsync("");

        // Typing again starts a new draft.
        await alice.TypeAsync("on second thought");
        await bob.ExpectDraftAsync("Alice", "on second thought");
        await Expect(bob.Messages).ToHaveCountAsync(0);
    });
}
