using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// A client that stops reading while frames keep coming fills its TCP buffers, and then a send on its socket blocks:
/// once one send has waited longer than <c>Chat:Socket:SendTimeout</c>, the server aborts that socket, its
/// participant leaves the room, and everyone else chats on.
/// </summary>
public sealed class SendTimeoutTests : IAsyncLifetime
{
    private WebFrontHost _host = null!;

    public async Task InitializeAsync() => _host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Socket:FramesPerSecond"] = "10000",
        ["Chat:Socket:FrameBurst"] = "10000",
        // A queue that never overflows here, so the writer keeps sending until the kernel's buffers are full and a
        // send blocks (an overflowing queue would be dropped and resynchronised instead, with no send left waiting).
        ["Chat:Socket:OutboundQueueCapacity"] = "100000",
        ["Chat:Socket:SendTimeout"] = "00:00:01",
        // Pings out of the way: only the send timeout may end the stuck socket here.
        ["Chat:Socket:KeepAliveInterval"] = "00:10:00",
        ["Chat:Socket:KeepAliveTimeout"] = "00:10:00",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ASocketWhoseSendOutlastsTheTimeoutIsAbortedAndLeavesTheRoom()
    {
        var room = WebFrontFixture.NewRoom();
        var (typist, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Typist");
        await using var _t = typist;
        var (watcher, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Watcher");
        await using var _w = watcher;
        var (stuck, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Stuck", receiveBufferBytes: 4096);
        await using var _s = stuck;
        await watcher.NextMatchingAsync(f => f.GetProperty("type").GetString() == "joined"
            && f.GetProperty("participant").GetProperty("connectionId").GetString() == stuck.ConnectionId);
        await stuck.PauseAsync();

        // Big drafts until the stuck socket's buffers are full and a send to it has waited past the timeout.
        using var typing = new CancellationTokenSource();
        var padding = new string('x', 3_900);
        var flood = Task.Run(async () =>
        {
            for (var i = 0; i < 20_000 && !typing.IsCancellationRequested; i++)
            {
                await typist.SendChunkAsync($"{i:D5}{padding}");
                if (i % 200 == 199)
                {
                    await Task.Delay(50); // let the watcher's socket keep up
                }
            }
        });

        try
        {
            await watcher.NextMatchingAsync(
                f => f.GetProperty("type").GetString() == "left" && f.GetProperty("connectionId").GetString() == stuck.ConnectionId,
                TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            // What the server still holds for the stuck socket, so a failure on a busy machine can be understood.
            var registry = _host.Services.GetRequiredService<OrleansChat.WebFront.Sockets.ConnectionRegistry>();
            var connection = registry.Connections.FirstOrDefault(c => c.ConnectionId == stuck.ConnectionId);
            var state = connection is null
                ? "the server no longer has the stuck connection"
                : $"the stuck connection is still open: outbox {connection.Outbox.Phase}, last seq {connection.Outbox.LastSeq}, dropped {connection.Outbox.DroppedEvents}";
            throw new TimeoutException($"{state}. {ex.Message}", ex);
        }
        await typing.CancelAsync();
        await flood;

        // The others carry on.
        await typist.SendChunkAsync("still here");
        await watcher.NextMatchingAsync(f => f.GetProperty("type").GetString() == "chunk" && f.GetProperty("text").GetString() == "still here");
    }
}
