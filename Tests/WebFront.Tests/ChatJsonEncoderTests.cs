using System.Text;
using System.Text.Json;
using OrleansChat.WebFront.Protocol;

namespace OrleansChat.WebFront.Tests;

public sealed class ChatJsonEncoderTests
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = ChatJsonEncoder.Instance };

    [Theory]
    [InlineData("plain ascii")]
    [InlineData("Привет 你好 😀 👩‍👩‍👧")]
    [InlineData("quotes \" and \\ backslashes")]
    [InlineData("controls \u0000\u0001\t\r\n end")]
    [InlineData("line separators \u2028 \u2029")]
    [InlineData("<script>alert('x')</script> & more")]
    public void EveryStringRoundTrips(string text)
    {
        var json = JsonSerializer.Serialize(text, Options);
        Assert.Equal(text, JsonSerializer.Deserialize<string>(json));
        Assert.Equal(text, JsonSerializer.Deserialize<string>(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(text, Options))));
    }

    [Fact]
    public void OnlyWhatJsonNeedsIsEscaped()
    {
        Assert.Equal("\"Привет 😀\"", JsonSerializer.Serialize("Привет 😀", Options));
        Assert.Equal("\"a\\u000Ab\\u0022c\\u005Cd\\u2028\"", JsonSerializer.Serialize("a\nb\"c\\d\u2028", Options));
    }

    [Fact]
    public void ALoneSurrogateNeverBecomesBrokenUtf8()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes("broken \uD800 pair", Options);
        var decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(json);
        Assert.Equal("broken \uFFFD pair", JsonSerializer.Deserialize<string>(decoded));
    }
}
