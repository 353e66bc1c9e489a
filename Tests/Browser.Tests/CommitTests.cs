using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class CommitTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task EnterCommitsTheMessageOnceInEveryLogAndClearsTheDraft() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(alice.ParticipantNamed("Bob")).ToHaveCountAsync(1);

        await alice.TypeAsync("Hello world");
        await bob.ExpectDraftAsync("Alice", "Hello world");
        await alice.Composer.PressAsync("Enter");

        foreach (var tab in new[] { alice, bob })
        {
            await Expect(tab.Messages).ToHaveCountAsync(1);
            await Expect(tab.Messages.First).ToContainTextAsync("Alice");
            await Expect(tab.Messages.First).ToContainTextAsync("Hello world");
        }

        await Expect(bob.DraftOf("Alice")).ToHaveCountAsync(0);
        await Expect(bob.Drafts).ToHaveCountAsync(0);
        await Expect(alice.Composer).ToHaveValueAsync("");

        // The Send button commits too, and Shift+Enter makes a message of several lines.
        await alice.TypeAsync("Sent with the button");
        await alice.SendButton.ClickAsync();
        await Expect(alice.Composer).ToHaveValueAsync("");
        await alice.TypeAsync("line one");
        await alice.Composer.PressAsync("Shift+Enter");
        await alice.SendAsync("line two");
        await Expect(alice.Composer).ToHaveValueAsync("");

        // Bob answers; once his message shows in Alice's tab, every earlier event has reached both tabs,
        // so the counts below are final (a duplicate would already be there).
        await bob.SendAsync("Reply from Bob");
        await Expect(alice.MessagesContaining("Reply from Bob")).ToHaveCountAsync(1);

        string[] expected = ["Hello world", "Sent with the button", "line one", "Reply from Bob"];
        foreach (var tab in new[] { alice, bob })
        {
            await Expect(tab.Messages).ToHaveCountAsync(expected.Length);
            await Expect(tab.Messages).ToContainTextAsync(expected);
            foreach (var text in expected)
            {
                await Expect(tab.MessagesContaining(text)).ToHaveCountAsync(1);
            }

            await Expect(tab.MessagesContaining("line one")).ToContainTextAsync("line two");
            await Expect(tab.Drafts).ToHaveCountAsync(0);
        }
    });
}
