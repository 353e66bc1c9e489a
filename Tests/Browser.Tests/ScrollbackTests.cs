using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Model;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ScrollbackTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const int Stored = 130;
    private const int InWelcome = 100; // ChatLimits.SnapshotHistory

    [Fact]
    public Task ScrollingToTheTopLoadsOlderMessagesWithoutMovingTheReaderDownToTheStart() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        await SeedAsync(room, Stored);

        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        await Expect(alice.Messages).ToHaveCountAsync(InWelcome);
        await Expect(alice.Messages.First).ToContainTextAsync(Text(Stored - InWelcome + 1));
        await Expect(alice.Messages.Last).ToContainTextAsync(Text(Stored));
        await Expect(alice.HistoryStart).ToHaveCountAsync(0);
        await Expect(alice.LoadOlder).ToBeVisibleAsync();

        // Whether the loading row ever shows is recorded in the page: the answer may come faster than a poll.
        await WatchForLoadingRowAsync(alice);

        // Scroll up the way a reader does, with the wheel, until the top of what is loaded.
        var firstShown = alice.MessagesContaining(Text(Stored - InWelcome + 1));
        await alice.LogScroller.HoverAsync();
        await alice.Page.Mouse.WheelAsync(0, -100_000);
        await Expect(alice.Messages).ToHaveCountAsync(Stored);
        await Expect(alice.Messages.First).ToContainTextAsync(Text(1));
        await Expect(alice.HistoryStart).ToBeVisibleAsync();
        await Expect(alice.HistoryStart).ToHaveTextAsync("This is the start of the conversation.");
        await Expect(alice.HistoryLoading).ToHaveCountAsync(0);
        await Expect(alice.LoadOlder).ToHaveCountAsync(0);
        Assert.True(await alice.Page.EvaluateAsync<bool>("() => window.sawHistoryLoading"), "no loading row was shown");

        // The older page went in above: the message the reader was at the top with is still in view, not pushed off.
        var scroller = await alice.LogScroller.BoundingBoxAsync();
        var anchor = await firstShown.BoundingBoxAsync();
        Assert.NotNull(scroller);
        Assert.NotNull(anchor);
        Assert.InRange(anchor.Y, scroller.Y, scroller.Y + scroller.Height - anchor.Height);

        // Every message once, in order.
        var texts = await alice.MessageLog.Locator(".text").AllTextContentsAsync();
        Assert.Equal(Enumerable.Range(1, Stored).Select(Text), texts);

        // A new message while reading old ones: counted in, the reader stays put and is told.
        var bob = await session.JoinAsync(room, "Bob", label: "bob");
        await Expect(bob.Messages).ToHaveCountAsync(InWelcome);
        await bob.SendAsync("Fresh news");
        await Expect(alice.Messages).ToHaveCountAsync(Stored + 1);
        await Expect(alice.Messages.Last).ToContainTextAsync("Fresh news");
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "New messages ↓" })).ToBeVisibleAsync();
        await Expect(firstShown).ToBeInViewportAsync();
        await Expect(alice.MessagesContaining("Fresh news")).Not.ToBeInViewportAsync();
    });

    [Fact]
    public Task ARoomWithEverythingInTheWelcomeShowsItsStartAndLoadsNothing() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        var room = BrowserSession.NewRoom();
        await SeedAsync(room, 3);

        var alice = await session.JoinAsync(room, "Alice", label: "alice");
        await Expect(alice.Messages).ToHaveCountAsync(3);
        await Expect(alice.HistoryStart).ToBeVisibleAsync();
        await Expect(alice.LoadOlder).ToHaveCountAsync(0);

        await WatchForLoadingRowAsync(alice);
        await alice.LogScroller.HoverAsync();
        await alice.Page.Mouse.WheelAsync(0, -100_000);
        await alice.SendAsync("Still just these");
        await Expect(alice.Messages).ToHaveCountAsync(4);
        Assert.False(await alice.Page.EvaluateAsync<bool>("() => window.sawHistoryLoading"), "asked for history the room does not have");
    });

    private static Task WatchForLoadingRowAsync(ChatPage tab) => tab.Page.EvaluateAsync(@"() => {
        window.sawHistoryLoading = false;
        new MutationObserver(() => {
            if (document.querySelector('[data-testid=history-loading]')) window.sawHistoryLoading = true;
        }).observe(document.body, { childList: true, subtree: true });
    }");

    private static string Text(int i) => "Message " + i.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>Messages committed straight to the room grain, as a conversation that happened before this tab.</summary>
    private async Task SeedAsync(string room, int count)
    {
        var grain = fixture.WebFront.Services.GetRequiredService<IClusterClient>().GetGrain<IChatRoomGrain>(room);
        const string connection = "seed-connection";
        Assert.Equal(ChatStatus.Ok, (await grain.Join(connection, "Earlier")).Status);
        for (var i = 1; i <= count; i++)
        {
            var result = await grain.Commit(connection, Text(i), Guid.NewGuid().ToString("N"));
            Assert.Equal(ChatStatus.Ok, result.Status);
        }

        await grain.Leave(connection);
    }
}
