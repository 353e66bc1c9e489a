using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OrleansChat.WebFront.Tests;

/// <summary>Cheap requests must not buy expensive answers: welcomes are rate-limited and bounded, text is not inflated.</summary>
[Collection(ServerFeedCollection.Name)]
public sealed class AmplificationTests(ServerFeedFixture fixture)
{
    [Fact]
    public async Task AResyncFloodGetsAboutOneWelcomeASecond()
    {
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Alice");
        await using var _a = alice;

        // 20 resyncs a second for 3 s: within the frame rate limit, so every one reaches the server.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 60; i++)
        {
            await alice.SendAsync(new { type = "resync" });
            await Task.Delay(50);
        }

        var sent = clock.Elapsed;

        // The last request is answered too (coalesced, not dropped).
        await alice.NextMatchingAsync(f => f.GetProperty("type").GetString() == "welcome" && clock.Elapsed > sent, TimeSpan.FromSeconds(5));
        var welcomes = alice.Received.Count(f => f.GetProperty("type").GetString() == "welcome") - 1;
        Assert.InRange(welcomes, 1, (int)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1);
    }

    [Fact]
    public async Task AWelcomeIsBoundedWhateverTheRoomHolds()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        var longText = string.Concat(Enumerable.Repeat("0123456789", 400));
        for (var i = 0; i < 30; i++)
        {
            await alice.SendCommitAsync(longText, "m" + i);
            await alice.NextOfTypeAsync("commit");
        }

        await alice.SendChunkAsync(longText);
        await alice.NextOfTypeAsync("chunk");

        var (bob, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _b = bob;
        var bytes = Encoding.UTF8.GetByteCount(welcome.GetRawText());

        // 30 × 4,000 characters of history and a 4,000-character draft: the welcome carries at most 64,000 characters
        // of history (the newest 16 messages), the draft as a 280-character preview, and says there is more.
        Assert.True(bytes < 70_000, $"welcome of {bytes} bytes");
        var history = welcome.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(16, history.Count);
        Assert.Equal("m29", history[^1].GetProperty("clientMessageId").GetString());
        Assert.True(welcome.GetProperty("moreHistory").GetBoolean());
        var draft = Assert.Single(welcome.GetProperty("drafts").EnumerateArray());
        Assert.Equal(280, draft.GetProperty("text").GetString()!.Length);
        Assert.True(draft.GetProperty("truncated").GetBoolean());

        // The typist's next chunk carries the whole text again.
        await alice.SendChunkAsync(longText[..^1] + "!");
        var chunk = await bob.NextOfTypeAsync("chunk");
        Assert.Equal(longText[..^1] + "!", chunk.GetProperty("text").GetString());
    }

    [Fact]
    public async Task NonAsciiTextTravelsAsUtf8NotEscapes()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Алиса");
        await using var _a = alice;
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _b = bob;
        const string text = "Привет, 世界 😀 <b>\"quoted\"</b>\n";
        await alice.SendChunkAsync(text);
        var chunk = await bob.NextOfTypeAsync("chunk");
        var raw = chunk.GetRawText();
        Assert.Equal(text, chunk.GetProperty("text").GetString());
        Assert.Contains("Привет, 世界 😀 <b>", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u04", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\uD83D", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\\u000A", raw, StringComparison.Ordinal);
    }
}
