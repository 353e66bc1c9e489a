using System.Text.Json;

namespace OrleansChat.WebFront.Tests;

/// <summary>Scrollback over a real WebFront (embedded silo): history pages, their errors, and the welcome's marker.</summary>
[Collection(ServerFeedCollection.Name)]
public sealed class HistoryTests(ServerFeedFixture fixture)
{
    private static IEnumerable<string> Texts(JsonElement messages) =>
        messages.EnumerateArray().Select(m => m.GetProperty("text").GetString()!);

    private static async Task<List<string>> CommitAsync(ChatSocket socket, int count, string prefix)
    {
        // Paced below the socket's frame rate (30/s): frames beyond it are dropped.
        var texts = new List<string>();
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(40));
        for (var i = 1; i <= count; i++)
        {
            await pace.WaitForNextTickAsync();
            var text = $"{prefix} {i}";
            await socket.SendCommitAsync(text, $"{prefix}-{i}");
            await socket.NextMatchingAsync(f => f.GetProperty("type").GetString() == "commit"
                && f.GetProperty("message").GetProperty("text").GetString() == text);
            texts.Add(text);
        }

        return texts;
    }

    [Fact]
    public async Task OlderMessagesThanTheWelcomeArePagedBackToTheStartOfTheRoom()
    {
        var room = WebFrontFixture.NewRoom();
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Alice");
        await using var _a = alice;
        var all = await CommitAsync(alice, 130, "m");

        var (reader, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, room, "Reader");
        await using var _r = reader;
        Assert.Equal(all.TakeLast(100), Texts(welcome.GetProperty("history")));
        Assert.True(welcome.GetProperty("moreHistory").GetBoolean());

        var oldest = welcome.GetProperty("history")[0].GetProperty("seq").GetInt64();
        var seen = new List<string>();
        var more = true;
        while (more)
        {
            await reader.SendAsync(new { type = "history", before = oldest, limit = 20 });
            var page = await reader.NextOfTypeAsync("history");
            Assert.Equal(oldest, page.GetProperty("before").GetInt64());
            var messages = page.GetProperty("messages");
            Assert.All(messages.EnumerateArray(), m => Assert.True(m.GetProperty("seq").GetInt64() < oldest));
            seen.InsertRange(0, Texts(messages));
            more = page.GetProperty("more").GetBoolean();
            if (messages.GetArrayLength() > 0)
            {
                oldest = messages[0].GetProperty("seq").GetInt64();
            }
        }

        Assert.Equal(all.Take(30), seen);
    }

    [Fact]
    public async Task AWelcomeOfASmallRoomSaysThereIsNothingOlder()
    {
        var (alice, welcome) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Alice");
        await using var _a = alice;
        Assert.False(welcome.GetProperty("moreHistory").GetBoolean());

        await CommitAsync(alice, 3, "m");
        await alice.SendAsync(new { type = "history", before = 1_000_000 });
        var page = await alice.NextOfTypeAsync("history");
        Assert.Equal(["m 1", "m 2", "m 3"], Texts(page.GetProperty("messages")));
        Assert.False(page.GetProperty("more").GetBoolean());
    }

    [Theory]
    [InlineData("""{"type":"history"}""", "invalid_frame")]
    [InlineData("""{"type":"history","before":"12"}""", "invalid_frame")]
    [InlineData("""{"type":"history","before":0}""", "invalid_frame")]
    [InlineData("""{"type":"history","before":10,"limit":1.5}""", "invalid_frame")]
    public async Task ABadHistoryRequestIsAnsweredWithAnErrorAndTheSocketStaysUsable(string frame, string code)
    {
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Alice");
        await using var _a = alice;

        await alice.SendTextAsync(frame);
        var error = await alice.NextOfTypeAsync("error");

        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("history", error.GetProperty("ref").GetString());
        await alice.SendAsync(new { type = "history", before = 10 });
        Assert.Empty((await alice.NextOfTypeAsync("history")).GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task HistoryBeforeJoiningIsNotJoined()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendAsync(new { type = "history", before = 10 });
        var error = await socket.NextOfTypeAsync("error");
        Assert.Equal("not_joined", error.GetProperty("code").GetString());
        Assert.Equal("history", error.GetProperty("ref").GetString());
    }

    [Fact]
    public async Task HistoryRequestsBeyondTheirRateAreRefusedNotServed()
    {
        var (alice, _) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Alice");
        await using var _a = alice;

        for (var i = 0; i < 20; i++)
        {
            await alice.SendAsync(new { type = "history", before = 10 });
        }

        await alice.NextMatchingAsync(f => f.GetProperty("type").GetString() == "error"
            && f.GetProperty("code").GetString() == "rate_limited" && f.GetProperty("ref").GetString() == "history");
        var answered = alice.Received.Count(f => f.GetProperty("type").GetString() == "history");
        Assert.True(answered < 20, $"All 20 history requests were served ({answered}).");
    }
}

/// <summary>A WebFront whose cap on new rooms per client address is small enough to reach.</summary>
public sealed class NewRoomCapTests : IAsyncLifetime
{
    private WebFrontHost _host = null!;

    public async Task InitializeAsync() => _host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Limits:NewRoomsPerMinutePerAddress"] = "3",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task OneAddressCreatesAFewRoomsAMinuteButCanStillJoinExistingOnes()
    {
        var existing = WebFrontFixture.NewRoom();
        var (first, _) = await ChatSocket.JoinAsync(_host.SocketUri, existing, "Ada");
        await using var _f = first;
        for (var i = 0; i < 2; i++)
        {
            var (socket, _) = await ChatSocket.JoinAsync(_host.SocketUri, WebFrontFixture.NewRoom(), "Ada");
            await socket.DisposeAsync();
        }

        await using var refused = await ChatSocket.ConnectAsync(_host.SocketUri);
        await refused.SendAsync(new { type = "join", room = WebFrontFixture.NewRoom(), name = "Ada" });
        Assert.Equal("too_many_new_rooms", await refused.NextErrorCodeAsync());

        // Joining a room that exists is never limited, also on the socket that was refused.
        await refused.SendAsync(new { type = "join", room = existing, name = "Ada" });
        var welcome = await refused.NextOfTypeAsync("welcome");
        Assert.Equal(2, welcome.GetProperty("participants").GetArrayLength());
    }
}
