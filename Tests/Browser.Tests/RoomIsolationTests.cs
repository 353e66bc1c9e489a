using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class RoomIsolationTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task ATabInAnotherRoomSeesNothingOfIt() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        var otherRoom = BrowserSession.NewRoom();

        // Dave is in another room (chosen with the /#room form of the address) before anything happens.
        var dave = await session.JoinAsync(otherRoom, "Dave", hashRoute: true, label: "dave");
        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(alice.ParticipantNamed("Bob")).ToHaveCountAsync(1);

        await alice.SendAsync("Secret of room one");
        await alice.TypeAsync("Draft of room one");
        await bob.ExpectDraftAsync("Alice", "Draft of room one");
        await Expect(bob.MessagesContaining("Secret of room one")).ToHaveCountAsync(1);

        // Dave's own activity shows in his tab: by then anything leaking from the other room would be there too.
        await dave.TypeAsync("Only in room two");
        await dave.Composer.PressAsync("Enter");
        await Expect(dave.MessagesContaining("Only in room two")).ToHaveCountAsync(1);
        await dave.TypeAsync("draft in room two");

        await alice.Composer.PressAsync("Enter");
        await bob.SendAsync("Room one again");
        await Expect(alice.MessagesContaining("Room one again")).ToHaveCountAsync(1);

        await Expect(dave.Messages).ToHaveCountAsync(1);
        await Expect(dave.Drafts).ToHaveCountAsync(0);
        await Expect(dave.Participants).ToHaveCountAsync(1);
        await Expect(dave.ParticipantNamed("Dave")).ToHaveCountAsync(1);

        foreach (var tab in new[] { alice, bob })
        {
            await Expect(tab.Messages).ToHaveCountAsync(3);
            await Expect(tab.MessagesContaining("room two")).ToHaveCountAsync(0);
            await Expect(tab.Drafts).ToHaveCountAsync(0);
            await Expect(tab.ParticipantNamed("Dave")).ToHaveCountAsync(0);
            await Expect(tab.Participants).ToHaveCountAsync(2);
        }
    });
}
