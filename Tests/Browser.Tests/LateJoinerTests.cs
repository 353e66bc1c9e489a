using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class LateJoinerTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task ATabJoiningLateSeesTheHistoryAndTheLiveDraft() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(alice.ParticipantNamed("Bob")).ToHaveCountAsync(1);

        await alice.SendAsync("Posted before Carol came");
        await bob.SendAsync("Bob was here too");
        await Expect(alice.MessagesContaining("Bob was here too")).ToHaveCountAsync(1);
        await alice.TypeAsync("Still typing this");
        await bob.ExpectDraftAsync("Alice", "Still typing this");

        var carol = await session.JoinAsync(room, "Carol", label: "carol");
        await Expect(carol.Messages).ToHaveCountAsync(2);
        await Expect(carol.Messages).ToContainTextAsync(["Posted before Carol came", "Bob was here too"]);
        await Expect(carol.Messages.First).ToContainTextAsync("Alice");
        await carol.ExpectDraftAsync("Alice", "Still typing this");
        await Expect(carol.Drafts).ToHaveCountAsync(1);
        await Expect(carol.Participants).ToHaveCountAsync(3);
        foreach (var name in new[] { "Alice", "Bob", "Carol" })
        {
            await Expect(carol.ParticipantNamed(name)).ToHaveCountAsync(1);
        }

        // The others see Carol arrive; the name she chose is remembered in her browser.
        await Expect(alice.ParticipantNamed("Carol")).ToHaveCountAsync(1);
        await Expect(bob.Participants).ToHaveCountAsync(3);
        Assert.Equal("Carol", await carol.Page.EvaluateAsync<string?>("() => localStorage.getItem('orleanschat.name')"));

        // And the draft keeps flowing to the newcomer.
        await alice.TypeAsync(" and more");
        await carol.ExpectDraftAsync("Alice", "Still typing this and more");
    });
}
