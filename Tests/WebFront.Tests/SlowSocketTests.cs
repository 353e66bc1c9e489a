using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat.WebFront.Tests;

/// <summary>A socket that stops reading must neither stall others nor grow the server's memory.</summary>
public abstract class SlowSocketTests(string feedScope, string source = "Subscription") : IAsyncLifetime
{
    private WebFrontHost _host = null!;

    public async Task InitializeAsync() => _host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Relay:FeedScope"] = feedScope,
        ["Chat:Relay:Source"] = source,
        ["Chat:Socket:FramesPerSecond"] = "10000",
        ["Chat:Socket:FrameBurst"] = "10000",
        ["Chat:Socket:OutboundQueueCapacity"] = "128",
        ["Chat:Socket:SendTimeout"] = "00:02:00",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ASlowSocketFallsBehindAndIsResynchronisedWhileOthersKeepUp()
    {
        const string room = "slow-room";
        var (typist, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Typist");
        await using var _t = typist;
        var (fast, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Fast");
        await using var _f = fast;
        var (slow, _) = await ChatSocket.JoinAsync(_host.SocketUri, room, "Slow", receiveBufferBytes: 4096);
        await using var _s = slow;
        await fast.NextOfTypeAsync("joined");
        await slow.PauseAsync();

        // Enough big drafts to fill the slow socket's TCP buffers and then its 128-frame queue.
        var padding = new string('x', 3_900);
        const int drafts = 2_000;
        var typing = Task.Run(async () =>
        {
            for (var i = 1; i <= drafts; i++)
            {
                await typist.SendChunkAsync($"{i:D5}{padding}");
            }
        });

        // The fast reader keeps up while the slow one is not reading: it sees the drafts in order (on a starved
        // machine it may itself be resynchronised once, which still never goes backwards) and reaches the final one.
        await typing;
        await typist.SendChunkAsync("final draft");
        var last = 0;
        while (true)
        {
            var frame = await fast.NextMatchingAsync(f => f.GetProperty("type").GetString() is "chunk" or "welcome");
            var texts = frame.GetProperty("type").GetString() == "chunk"
                ? [frame.GetProperty("text").GetString()!]
                : frame.GetProperty("drafts").EnumerateArray().Select(d => d.GetProperty("text").GetString()!).ToArray();
            if (texts.Contains("final draft"))
            {
                break;
            }

            foreach (var text in texts.Where(t => t.Length >= 5 && char.IsAsciiDigit(t[0])))
            {
                var number = int.Parse(text[..5], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(number > last, $"drafts arrive in order ({number} after {last})");
                last = number;
            }
        }

        // The slow socket's own feed (one per socket) may still be delivering what the fast one already has: keep it
        // paused until the server has dropped events for it, so it is resumed behind, never just late.
        var registry = _host.Services.GetRequiredService<OrleansChat.WebFront.Sockets.ConnectionRegistry>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (registry.Connections.FirstOrDefault(c => c.ConnectionId == slow.ConnectionId)?.Outbox.DroppedEvents is not > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server never dropped an event for the socket that stopped reading");
            await typist.SendChunkAsync($"{drafts + 1:D5}{padding}"); // more for it to fall behind on, if it has not yet
            await fast.NextMatchingAsync(f => f.GetProperty("type").GetString() is "chunk" or "welcome");
        }

        await typist.SendChunkAsync("final draft");

        // Once it reads again, the slow socket catches up to the final draft: in a fresh welcome, or as a chunk after
        // the last welcome it was given when its queue overflowed (which one depends on when the last overflow came).
        slow.Resume();
        await slow.NextMatchingAsync(
            f => f.GetProperty("type").GetString() switch
            {
                "chunk" => f.GetProperty("text").GetString() == "final draft",
                "welcome" => f.GetProperty("drafts").EnumerateArray().Any(d => d.GetProperty("text").GetString() == "final draft"),
                _ => false,
            },
            TimeSpan.FromSeconds(60));

        List<JsonElement> received;
        lock (slow.Received)
        {
            received = [.. slow.Received];
        }

        // It was dropped behind and given a fresh welcome rather than every queued draft, and what it got never goes
        // backwards: each frame's room seq is above the one before (a welcome's seq fences the events after it).
        var welcomes = received.Where(f => f.GetProperty("type").GetString() == "welcome").ToList();
        Assert.True(welcomes.Count >= 2, $"the slow socket was resynchronised ({welcomes.Count - 1} fresh welcomes)");
        Assert.All(welcomes, w => Assert.Equal(slow.ConnectionId, w.GetProperty("connectionId").GetString()));
        var chunksSeenBySlow = received.Count(f => f.GetProperty("type").GetString() == "chunk");
        Assert.True(chunksSeenBySlow < drafts, $"the slow socket skipped queued drafts ({chunksSeenBySlow} of {drafts} delivered)");
        var seqs = received.Where(f => f.TryGetProperty("seq", out _)).Select(f => f.GetProperty("seq").GetInt64()).ToList();
        for (var i = 1; i < seqs.Count; i++)
        {
            Assert.True(seqs[i] > seqs[i - 1], $"frame {i} has seq {seqs[i]} after {seqs[i - 1]}");
        }
    }
}

public sealed class SlowSocketTestsWithOneFeedPerRoom() : SlowSocketTests("Server");

public sealed class SlowSocketTestsWithOneFeedPerSocket() : SlowSocketTests("Connection");

public sealed class SlowSocketTestsWithQueueTaps() : SlowSocketTests("Server", "QueueTap");
