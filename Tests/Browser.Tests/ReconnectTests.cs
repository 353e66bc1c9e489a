using System.Diagnostics;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansChat.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(BrowserFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task AfterTheServerRestartsTheTabReconnectsByItselfAndShowsEveryMessageOnce() => BrowserSession.RunAsync(fixture, output, async session =>
    {
        // A WebFront of its own on a fixed port, so it can be stopped and started again under the open tabs.
        // The room lives in the silo, so its history survives the WebFront.
        var port = FreePort.Next();
        var web = await session.StartWebFrontAsync(port);
        var room = BrowserSession.NewRoom();
        var alice = await session.JoinAsync(room, "Alice", web.BaseAddress, label: "alice");
        var bob = await session.JoinAsync(room, "Bob", web.BaseAddress, label: "bob");
        await Expect(alice.ParticipantNamed("Bob")).ToHaveCountAsync(1);

        await alice.SendAsync("First, before the restart");
        await Expect(bob.MessagesContaining("First, before the restart")).ToHaveCountAsync(1);

        // A stopping WebFront says goodbye to its sockets at once (it does not wait for the host's 30 s
        // shutdown timeout to abort them), so the tabs notice within seconds.
        var clock = Stopwatch.StartNew();
        var stopping = session.StopWebFrontAsync(web);
        await Expect(alice.Status).ToHaveTextAsync("Reconnecting\u2026");
        session.Log($"{clock.Elapsed.TotalSeconds:F1} s: Alice's tab says Reconnecting…");
        await Expect(bob.Status).ToHaveTextAsync("Reconnecting\u2026");

        // A message sent while there is no server waits in Alice's tab and goes out once she is back.
        await alice.SendAsync("Sent while the server was down");
        await Expect(alice.MessagesContaining("Sent while the server was down")).ToHaveCountAsync(1);
        await stopping;
        session.Log($"{clock.Elapsed.TotalSeconds:F1} s: the WebFront has stopped");

        await session.StartWebFrontAsync(port);
        session.Log($"{clock.Elapsed.TotalSeconds:F1} s: a new WebFront listens on the same port");
        await Expect(alice.Status).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await Expect(bob.Status).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        session.Log($"{clock.Elapsed.TotalSeconds:F1} s: both tabs are live again");

        await alice.SendAsync("Second, after the restart");
        await Expect(bob.MessagesContaining("Second, after the restart")).ToHaveCountAsync(1);
        await bob.SendAsync("Third, from Bob");
        await Expect(alice.MessagesContaining("Third, from Bob")).ToHaveCountAsync(1);

        // Drafts flow again too.
        await alice.TypeAsync("typing again");
        await bob.ExpectDraftAsync("Alice", "typing again");

        string[] expected = ["First, before the restart", "Sent while the server was down", "Second, after the restart", "Third, from Bob"];
        foreach (var tab in new[] { alice, bob })
        {
            await Expect(tab.Messages).ToHaveCountAsync(expected.Length);
            await Expect(tab.Messages).ToContainTextAsync(expected);
            foreach (var text in expected)
            {
                await Expect(tab.MessagesContaining(text)).ToHaveCountAsync(1);
            }

            // The connections of the stopped WebFront left the room; nobody is listed twice.
            await Expect(tab.Participants).ToHaveCountAsync(2);
        }
    });
}
