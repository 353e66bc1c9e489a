using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// A room that forgot a socket (it moved, or was restarted) refuses its next command as NotJoined and the WebFront
/// joins again for it. When that rejoin fails too, the commit that found out must stay retryable, and the rejoin must
/// go on by itself: otherwise the commit waits in the client for a welcome that nobody produces.
/// </summary>
public sealed class RejoinRetryTests
{
    [Fact]
    public async Task ACommitWhoseRejoinFailsIsRetryableAndTheRejoinGoesOnInTheBackground()
    {
        var filter = new FailingJoins();
        await using var host = await WebFrontHost.StartAsync(services: s => s.AddSingleton<IIncomingGrainCallFilter>(filter));
        const string roomId = "rejoin-retry";
        var (socket, welcome) = await ChatSocket.JoinAsync(host.SocketUri, roomId, "Rhea");
        await using var _s = socket;
        var connectionId = welcome.GetProperty("connectionId").GetString()!;

        // The room forgets the socket (as a new activation would), and the next two joins fail.
        await host.Services.GetRequiredService<IGrainFactory>().GetGrain<IChatRoomGrain>(roomId).Leave(connectionId);
        filter.FailNext(2);
        var id = Guid.NewGuid().ToString("N");
        await socket.SendCommitAsync("sent while the room is away", id);

        var refused = await socket.NextMatchingAsync(f => f.GetProperty("type").GetString() == "error"
            && f.TryGetProperty("ref", out var r) && r.GetString() == id);
        Assert.Equal("unavailable", refused.GetProperty("code").GetString());

        // No client frame is needed for the welcome: the WebFront keeps trying.
        await socket.NextOfTypeAsync("welcome");
        Assert.Equal(0, filter.Left);

        await socket.SendCommitAsync("sent while the room is away", id);
        var stored = await socket.NextMatchingAsync(f => f.GetProperty("type").GetString() is "commit" or "committed");
        Assert.Equal(id, stored.GetProperty("message").GetProperty("clientMessageId").GetString());
    }

    /// <summary>Fails the next N <c>Join</c> calls the embedded silo receives.</summary>
    private sealed class FailingJoins : IIncomingGrainCallFilter
    {
        private int _toFail;

        public int Left => Math.Max(0, Volatile.Read(ref _toFail));

        public void FailNext(int calls) => Volatile.Write(ref _toFail, calls);

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IChatRoomGrain.Join) && Interlocked.Decrement(ref _toFail) >= 0)
            {
                throw new InvalidOperationException("join refused by the test");
            }

            await context.Invoke();
        }
    }
}
