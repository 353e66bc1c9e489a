using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansChat.WebFront.Rooms;
using Xunit.Abstractions;

namespace OrleansChat.WebFront.Tests;

/// <summary>
/// Lease renewal must scale with the rooms a WebFront serves: 10,000 one-person rooms, a 9 s lease renewed every 3 s
/// (the default is 15 s). Shorter leases were flaky on a busy 2-core CI machine, whose stalls of a few seconds
/// (every test project runs at once) lost 1 of 10,000 participants at 3 s and 799 at 5 s. The round time and failed
/// calls are written to the test output.
/// </summary>
public sealed class LeaseRenewalScaleTests(ITestOutputHelper output)
{
    private const int Rooms = 10_000;

    [Fact]
    public async Task TenThousandRoomsOnOneWebFrontKeepEveryLiveParticipant()
    {
        await using var host = await WebFrontHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Limits:LeaseTimeout"] = "00:00:09",
        });
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var feeds = host.Services.GetRequiredService<RoomFeeds>();
        var leases = host.Services.GetServices<IHostedService>().OfType<PresenceLeases>().Single();

        // One participant per room, joined in the room grain and a member of this WebFront's feed for the room (what
        // a socket is to the lease renewal), without 10,000 sockets.
        var members = new SocketlessMember[Rooms];
        await Parallel.ForEachAsync(Enumerable.Range(0, Rooms), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var roomId = $"lease-{i}";
            var member = new SocketlessMember($"conn-{i}");
            var joined = await grains.GetGrain<IChatRoomGrain>(roomId).Join(member.ConnectionId, "User " + i);
            Assert.Equal(ChatStatus.Ok, joined.Status);
            feeds.Acquire(roomId).Add(member);
            members[i] = member;
        });

        // More than two leases' worth of rounds, then every room still has its participant.
        var start = leases.Rounds;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (leases.Rounds < start + 8)
        {
            Assert.True(DateTime.UtcNow < deadline, "lease rounds kept running");
            await Task.Delay(200);
        }

        output.WriteLine($"last round over {Rooms} rooms took {leases.LastRound.TotalMilliseconds:F0} ms; {leases.FailedCalls} renewal calls failed and were retried");
        var missing = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Rooms), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var snapshot = await grains.GetGrain<IChatRoomGrain>($"lease-{i}").GetSnapshot();
            if (!snapshot.Participants.Any(p => p.ConnectionId == members[i].ConnectionId))
            {
                Interlocked.Increment(ref missing);
            }
        });

        Assert.Equal(0, missing);
        Assert.Equal(0, members.Sum(m => m.Rejoins));
        Assert.True(leases.LastRound < TimeSpan.FromSeconds(3), $"a round took {leases.LastRound}, longer than the renewal period (3 s)");
    }
}
