using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// Issue 12, "names cannot impersonate": the room refuses display names that hide or reorder characters, or that
/// are invisible, and stores every name in NFC, whatever a caller (WebFront or not) sent.
/// </summary>
[Collection(DefaultLimitsCluster.Name)]
public sealed class NamesCannotImpersonate(DefaultLimitsClusterFixture cluster)
{
    public static TheoryData<string> InvisibleOrReorderingNames => new()
    {
        // Bidi embeddings, overrides and isolates: "Ana\u202Eevil" shows as "Analive".
        "Ana\u202Aevil", "Ana\u202Bevil", "Ana\u202Cevil", "Ana\u202Devil", "Ana\u202Eevil",
        "Ana\u2066evil", "Ana\u2067evil", "Ana\u2068evil", "Ana\u2069evil",
        // Direction marks.
        "Ana\u200E", "Ana\u200F", "\u061CAna",
        // Zero-width characters that make a second "Ana" look like the first.
        "An\u200Ba", "An\u200Ca", "An\u200Da", "An\u2060a", "An\uFEFFa", "An\u180Ea", "An\u00ADa",
        // Tags and invisible operators.
        "Ana\U000E0041", "Ana\u2062",
        // Line and paragraph separators.
        "Ana\u2028Bo", "Ana\u2029Bo",
        // Names that render as nothing.
        "\u3164", "\u3164\u3164", "\u115F", "\u1160", "\uFFA0", "\u2800", "\u2800 \u2800",
        // ...or pad a real name invisibly.
        "Ana\u3164", "Ana\u2800",
        // Combining marks with nothing to sit on.
        "\u0301", "\u0301\u0302\u0303", "\u034F",
        // Private use and unassigned code points.
        "Ana\uE000", "Ana\U0010FFFD",
        // A joiner between two Latin letters draws nothing.
        "A\u200Dna",
    };

    public static TheoryData<string, string> NamesAndWhatIsStored => new()
    {
        // NFC: a decomposed "José" is stored precomposed.
        { "Jose\u0301", "Jos\u00E9" },
        { "\u212Bngstr\u00F6m", "\u00C5ngstr\u00F6m" },
        // Spaces: trimmed, inner runs made one U+0020.
        { " Ana \u00A0\u3000 Bo ", "Ana Bo" },
        { "\u5C71\u7530\u3000\u592A\u90CE", "\u5C71\u7530 \u592A\u90CE" },
        // An emoji ZWJ sequence (woman, woman, girl) and a skin-tone profession (woman technologist).
        { "Ana \U0001F469\u200D\U0001F469\u200D\U0001F467", "Ana \U0001F469\u200D\U0001F469\u200D\U0001F467" },
        { "\U0001F469\U0001F3FD\u200D\U0001F4BB", "\U0001F469\U0001F3FD\u200D\U0001F4BB" },
        // A Persian word needs its zero-width non-joiner (mi-khaham); a Devanagari conjunct its ZWJ.
        { "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645" },
        { "\u0915\u094D\u200D\u0937", "\u0915\u094D\u200D\u0937" },
        // Right-to-left text itself is fine: it is direction controls that are refused.
        { "\u05D3\u05E0\u05D4", "\u05D3\u05E0\u05D4" },
    };

    [Theory]
    [MemberData(nameof(InvisibleOrReorderingNames))]
    public async Task AnInvisibleOrReorderingNameIsNameInvalid(string name)
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);

        var result = await room.Join("conn-mallory", name);

        Assert.Equal(ChatStatus.NameInvalid, result.Status);
        Assert.Null(result.Snapshot);
        Assert.Empty((await room.GetSnapshot()).Participants);
        await room.JoinOkAsync("conn-bob", "Bob");
        Assert.Equal("conn-bob", (await events.NextAsync<ParticipantJoined>()).Participant.ConnectionId);
    }

    // (A lone surrogate never reaches the grain: Orleans carries strings as UTF-8. WebFront refuses it: see
    // NameImpersonationTests.ALoneSurrogateInANameIsRefused.)

    [Theory]
    [MemberData(nameof(NamesAndWhatIsStored))]
    public async Task TheRoomStoresTheNormalisedName(string name, string stored)
    {
        var snapshot = await cluster.Room(TestRooms.NewId()).JoinOkAsync("conn-ana", name);

        Assert.Equal(stored, Assert.Single(snapshot.Participants).Name);
    }

    [Fact]
    public async Task TheNormalisedNameIsWhatOthersSeeAndWhatMessagesCarry()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);

        await room.JoinOkAsync("conn-ana", "Jose\u0301");
        var message = await room.CommitOkAsync("conn-ana", "hola", "msg-1");

        Assert.Equal(new Participant("conn-ana", "Jos\u00E9"), (await events.NextAsync<ParticipantJoined>()).Participant);
        Assert.Equal("Jos\u00E9", message.SenderName);
        Assert.Equal("Jos\u00E9", (await events.NextAsync<MessageCommitted>()).Message.SenderName);
    }

    [Fact]
    public async Task TheLengthLimitCountsTheNormalisedName()
    {
        var max = new ChatLimits().MaxNameLength;
        var decomposed = string.Concat(Enumerable.Repeat("e\u0301", max)); // twice the limit in UTF-16 units

        var snapshot = await cluster.Room(TestRooms.NewId()).JoinOkAsync("conn-ana", decomposed);
        var tooLong = await cluster.Room(TestRooms.NewId()).Join("conn-ana", decomposed + "e\u0301");

        Assert.Equal(new string('\u00E9', max), Assert.Single(snapshot.Participants).Name);
        Assert.Equal(ChatStatus.NameTooLong, tooLong.Status);
    }

    [Theory]
    [InlineData("lobby\n")]
    [InlineData("room-1\n")]
    [InlineData("\nlobby")]
    public async Task ARoomKeyWithANewlineIsInvalidRoom(string roomKey)
    {
        var room = cluster.Room(roomKey);

        var join = await room.Join("conn-ana", "Ana");

        Assert.Equal(ChatStatus.InvalidRoom, join.Status);
        Assert.Null(join.Snapshot);
    }

    [Theory]
    [InlineData("id\n")]
    [InlineData("msg-1\n")]
    public async Task AMessageIdWithATrailingNewlineIsInvalidMessageId(string clientMessageId)
    {
        var room = cluster.Room(TestRooms.NewId());
        await room.JoinOkAsync("conn-ana", "Ana");

        var result = await room.Commit("conn-ana", "hello", clientMessageId);

        Assert.Equal(ChatStatus.InvalidMessageId, result.Status);
        Assert.Null(result.Message);
        Assert.Empty((await room.GetSnapshot()).History);
    }
}
