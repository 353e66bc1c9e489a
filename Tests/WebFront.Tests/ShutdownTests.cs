using System.Net.WebSockets;

namespace OrleansChat.WebFront.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task StoppingTheServerSendsGoingAwayAndCloses1012()
    {
        var host = await WebFrontHost.StartAsync();
        ChatSocket? socket = null;
        try
        {
            (socket, _) = await ChatSocket.JoinAsync(host.SocketUri, WebFrontFixture.NewRoom(), "Alice");
            var stopping = host.DisposeAsync();
            var goingAway = await socket.NextOfTypeAsync("goingAway");
            Assert.False(string.IsNullOrEmpty(goingAway.GetProperty("message").GetString()));
            Assert.Equal((WebSocketCloseStatus)1012, await socket.WaitForCloseAsync());
            await stopping;
            host = null;
        }
        finally
        {
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }

            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }
    }
}
