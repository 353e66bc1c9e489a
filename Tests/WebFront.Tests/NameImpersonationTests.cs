using System.Text.Json;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// Issue 12, "names cannot impersonate", over a real socket: names that reorder, hide or pad characters get
/// <c>name_invalid</c>, names are stored and shown in NFC, and ids with a trailing newline are refused.
/// </summary>
[Collection(ServerFeedCollection.Name)]
public sealed class NameImpersonationTests(ServerFeedFixture fixture)
{
    public static TheoryData<string> InvisibleOrReorderingNames => new()
    {
        "Ana\u202Eevil",        // RIGHT-TO-LEFT OVERRIDE: shows as "Analive"
        "Ana\u2066x\u2069",     // LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
        "Ana\u200F",            // RIGHT-TO-LEFT MARK
        "An\u200Ba",            // ZERO WIDTH SPACE: a second "Ana"
        "An\u2060a",            // WORD JOINER
        "\uFEFFAna",            // ZERO WIDTH NO-BREAK SPACE (BOM)
        "\u3164",               // HANGUL FILLER: a name that renders as nothing
        "\u2800",               // BRAILLE PATTERN BLANK
        "Ana\u3164",            // ... or pads a real one
        "\u0301\u0301",         // combining marks only
    };

    [Theory]
    [MemberData(nameof(InvisibleOrReorderingNames))]
    public async Task AnInvisibleOrReorderingNameIsNameInvalidAndTheConnectionStays(string name)
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);

        await socket.SendAsync(new { type = "join", room = WebFrontFixture.NewRoom(), name });
        var error = await socket.NextOfTypeAsync("error");

        Assert.Equal("name_invalid", error.GetProperty("code").GetString());
        Assert.Contains("invisible", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await socket.SendAsync(new { type = "join", room = WebFrontFixture.NewRoom(), name = "Ana" });
        await socket.NextOfTypeAsync("welcome");
    }

    [Fact]
    public async Task ANameIsShownInNfcToItsOwnerAndToOthers()
    {
        var room = WebFrontFixture.NewRoom();
        var (bob, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Bob");
        await using var _b = bob;

        var (ana, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Jose\u0301");
        await using var _a = ana;
        await ana.SendCommitAsync("hola", "m1");

        Assert.Equal("Jos\u00E9", welcome.GetProperty("name").GetString());
        Assert.Contains("Jos\u00E9", welcome.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var joined = await bob.NextOfTypeAsync("joined");
        Assert.Equal("Jos\u00E9", joined.GetProperty("participant").GetProperty("name").GetString());
        var commit = await bob.NextOfTypeAsync("commit");
        Assert.Equal("Jos\u00E9", commit.GetProperty("message").GetProperty("senderName").GetString());
    }

    [Fact]
    public async Task TheNameLimitCountsCharactersAfterNfc()
    {
        // 32 decomposed "é" are 64 UTF-16 units on the wire and 32 once composed: within the limit of 32.
        var name = string.Concat(Enumerable.Repeat("e\u0301", 32));

        var (socket, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), name);
        await using var _s = socket;

        Assert.Equal(new string('\u00E9', 32), welcome.GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnEmojiZwjSequenceIsAName()
    {
        var family = "\U0001F469\u200D\U0001F469\u200D\U0001F467";

        var (socket, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), family);
        await using var _s = socket;

        Assert.Equal(family, welcome.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("id\n")]
    [InlineData("m1\n")]
    public async Task AMessageIdWithATrailingNewlineIsInvalidMessageId(string id)
    {
        var (socket, _) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Ana");
        await using var _s = socket;

        await socket.SendCommitAsync("hello", id);
        var error = await socket.NextOfTypeAsync("error");
        Assert.Equal("invalid_message_id", error.GetProperty("code").GetString());

        // Nothing was stored: a later commit is the first message the room has.
        await socket.SendCommitAsync("second", "m2");
        var commit = await socket.NextOfTypeAsync("commit");
        Assert.Equal("m2", commit.GetProperty("message").GetProperty("clientMessageId").GetString());
        await socket.SendAsync(new { type = "resync" });
        var welcome = await socket.NextOfTypeAsync("welcome");
        Assert.Equal(["m2"], welcome.GetProperty("history").EnumerateArray().Select(m => m.GetProperty("clientMessageId").GetString()));
    }

    [Fact]
    public async Task ARoomWithATrailingNewlineIsTrimmedToTheSameRoom()
    {
        // The WebFront trims what the user typed (docs/protocol.md), so "room\n" is "room": never a second room
        // whose id ends in a newline (the grain refuses such a key itself: Grains.Tests, NamesCannotImpersonate).
        var room = WebFrontFixture.NewRoom();
        var (first, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Ana");
        await using var _f = first;

        var (second, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room + "\n", "Bob");
        await using var _s = second;

        Assert.Equal(room, welcome.GetProperty("room").GetString());
        Assert.Equal(2, welcome.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task ALoneSurrogateInANameIsRefused()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);

        await socket.SendTextAsync("{\"type\":\"join\",\"room\":\"" + WebFrontFixture.NewRoom() + "\",\"name\":\"Ana\\ud800\"}");

        var error = await socket.NextOfTypeAsync("error");
        Assert.Contains(error.GetProperty("code").GetString(), new[] { "invalid_json", "name_invalid" });
        Assert.DoesNotContain(socket.Received, f => f.GetProperty("type").GetString() == "welcome");
    }
}
