using System.Net;
using System.Net.WebSockets;

namespace OrleansChat.WebFront.Tests;

/// <summary>Every kind of bad input gets a clear, stable answer and harms nobody else.</summary>
public abstract class BadInputTests(WebFrontFixture fixture)
{
    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("[1,2,3]", "invalid_frame")]
    [InlineData("\"join\"", "invalid_frame")]
    [InlineData("{}", "invalid_frame")]
    [InlineData("{\"type\":\"shout\"}", "unknown_type")]
    [InlineData("{\"type\":42}", "invalid_frame")]
    [InlineData("{\"type\":\"join\",\"room\":\"lobby\",\"name\":{\"first\":\"x\"}}", "invalid_frame")]
    [InlineData("{\"type\":\"chunk\",\"text\":\"x\",\"seq\":1}", "not_joined")]
    [InlineData("{\"type\":\"commit\",\"text\":\"x\",\"id\":\"m1\"}", "not_joined")]
    [InlineData("{\"type\":\"cancel\"}", "not_joined")]
    [InlineData("{\"type\":\"resync\"}", "not_joined")]
    [InlineData("{\"type\":\"join\",\"room\":\"lobby\",\"name\":\"   \"}", "name_required")]
    [InlineData("{\"type\":\"join\",\"room\":\"lobby\",\"name\":\"a name that is much too long for anyone\"}", "name_too_long")]
    [InlineData("{\"type\":\"join\",\"room\":\"lobby\",\"name\":\"bell\\u0007\"}", "name_invalid")]
    [InlineData("{\"type\":\"join\",\"room\":\"no spaces!\",\"name\":\"Eve\"}", "invalid_room")]
    [InlineData("{\"type\":\"join\",\"room\":\"lobby\",\"name\":\"Eve\"} trailing", "invalid_json")]
    public async Task ARecoverableMistakeGetsAnErrorAndTheConnectionStays(string frame, string expectedCode)
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendTextAsync(frame);
        Assert.Equal(expectedCode, await socket.NextErrorCodeAsync());

        // The same connection still works.
        await socket.SendAsync(new { type = "join", room = WebFrontFixture.NewRoom(), name = "Eve" });
        await socket.NextOfTypeAsync("welcome");
    }

    [Fact]
    public async Task MistakesAfterJoiningGetErrorsAndTheConnectionStays()
    {
        var (socket, _) = await ChatSocket.JoinAsync(fixture.SocketUri, WebFrontFixture.NewRoom(), "Eve");
        await using var _s = socket;

        await socket.SendAsync(new { type = "join", room = "lobby", name = "Eve" });
        Assert.Equal("already_joined", await socket.NextErrorCodeAsync());

        await socket.SendAsync(new { type = "chunk", text = new string('x', 4_001), seq = 1 });
        Assert.Equal("text_too_long", await socket.NextErrorCodeAsync());

        await socket.SendAsync(new { type = "chunk", text = "x" });
        Assert.Equal("invalid_frame", await socket.NextErrorCodeAsync());

        await socket.SendTextAsync("{\"type\":\"chunk\",\"text\":\"x\",\"seq\":\"one\"}");
        Assert.Equal("invalid_frame", await socket.NextErrorCodeAsync());

        await socket.SendTextAsync("{\"type\":\"chunk\",\"text\":\"x\",\"seq\":1.5}");
        Assert.Equal("invalid_frame", await socket.NextErrorCodeAsync());

        await socket.SendAsync(new { type = "chunk", text = "x", seq = -1 });
        Assert.Equal("invalid_seq", await socket.NextErrorCodeAsync());

        await socket.SendAsync(new { type = "commit", text = "   ", id = "m1" });
        var blank = await socket.NextOfTypeAsync("error");
        Assert.Equal("text_required", blank.GetProperty("code").GetString());
        Assert.Equal("m1", blank.GetProperty("ref").GetString());

        await socket.SendAsync(new { type = "commit", text = "hi", id = "not a valid id" });
        Assert.Equal("invalid_message_id", await socket.NextErrorCodeAsync());

        await socket.SendAsync(new { type = "commit", text = new string('y', 4_001), id = "m2" });
        Assert.Equal("text_too_long", await socket.NextErrorCodeAsync());

        await socket.SendCommitAsync("still here", "m3");
        var commit = await socket.NextOfTypeAsync("commit");
        Assert.Equal("still here", commit.GetProperty("message").GetProperty("text").GetString());
    }

    [Fact]
    public async Task ErrorsNeverCarryInternals()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendTextAsync("{\"type\":\"join\",\"room\":\"lobby\",\"name\":[");
        var error = await socket.NextOfTypeAsync("error");
        var text = error.GetRawText();
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOversizedFrameClosesWithMessageTooBig()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendTextAsync("{\"type\":\"chunk\",\"text\":\"" + new string('x', 17 * 1024) + "\",\"seq\":1}");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await socket.WaitForCloseAsync());
    }

    [Fact]
    public async Task ABinaryFrameClosesWithInvalidMessageType()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendBinaryAsync([1, 2, 3]);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await socket.WaitForCloseAsync());
    }

    [Fact]
    public async Task ATruncatedFrameIsInvalidJson()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendTextAsync("{\"type\":\"join\",\"room\":\"lobby\",\"name\":\"ok\"");
        Assert.Equal("invalid_json", await socket.NextErrorCodeAsync());
    }

    [Fact]
    public async Task InvalidUtf8ClosesWithInvalidPayloadData()
    {
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri);
        await socket.SendTextBytesAsync([(byte)'{', 0xFF, 0xFE, (byte)'}']);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await socket.WaitForCloseAsync());
    }

    [Fact]
    public async Task ADisallowedOriginIsRefusedBeforeTheUpgrade()
    {
        var error = await Assert.ThrowsAsync<WebSocketException>(() => ChatSocket.ConnectAsync(fixture.SocketUri, origin: "https://evil.example"));
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSameHostOriginIsAllowed()
    {
        var origin = fixture.Host.BaseAddress.GetLeftPart(UriPartial.Authority);
        await using var socket = await ChatSocket.ConnectAsync(fixture.SocketUri, origin);
        await socket.SendAsync(new { type = "join", room = WebFrontFixture.NewRoom(), name = "Eve" });
        await socket.NextOfTypeAsync("welcome");
    }

    [Fact]
    public async Task APlainHttpRequestToTheSocketEndpointIsABadRequest()
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        var response = await http.GetAsync(new Uri("/ws", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

[Collection(ServerFeedCollection.Name)]
public sealed class BadInputTestsWithOneFeedPerRoom(ServerFeedFixture fixture) : BadInputTests(fixture);

[Collection(ConnectionFeedCollection.Name)]
public sealed class BadInputTestsWithOneFeedPerSocket(ConnectionFeedFixture fixture) : BadInputTests(fixture);
