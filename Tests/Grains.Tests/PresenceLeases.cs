using OrleansChat.Events;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

/// <summary>
/// Presence leases (a participant whose WebFront stops renewing is removed) measure time on the monotonic clock:
/// the machine's wall clock stepping, as NTP or a resumed VM makes it, changes nothing.
/// </summary>
[Collection(SteppedClockCluster.Name)]
public sealed class PresenceLeases(SteppedClockClusterFixture cluster)
{
    private static readonly TimeSpan Lease = SteppedClockSiloConfigurator.LeaseTimeout;

    [Fact]
    public async Task AWallClockSteppingBackDoesNotKeepAnUnrenewedParticipant()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-gone", "Gone");
        await events.NextAsync<ParticipantJoined>();

        // Its WebFront died (no renewals), and the clock went back a day.
        SteppedWallClock.Instance.Step(TimeSpan.FromDays(-1));

        var left = await events.NextAsync<ParticipantLeft>(Lease * 4);
        Assert.Equal("conn-gone", left.ConnectionId);
        Assert.Empty((await room.GetSnapshot()).Participants);
    }

    [Fact]
    public async Task AWallClockSteppingForwardDoesNotExpireARenewedParticipant()
    {
        var roomId = TestRooms.NewId();
        var room = cluster.Room(roomId);
        await using var events = await cluster.SubscribeAsync(roomId);
        await room.JoinOkAsync("conn-sentinel", "Sentinel"); // never renewed: its removal shows a lease sweep ran
        await room.JoinOkAsync("conn-alive", "Alive");
        await events.NextAsync(2);

        // Half a lease later the live participant's WebFront renews it; the sentinel's lease runs out half a lease
        // before the renewed one does (a sweep runs every third of a lease).
        await Task.Delay(Lease / 2);
        Assert.Empty((await room.RenewLeases(["conn-alive"])).UnknownConnections);
        SteppedWallClock.Instance.Step(TimeSpan.FromDays(1));

        var left = await events.NextAsync<ParticipantLeft>(Lease * 4);
        Assert.Equal("conn-sentinel", left.ConnectionId);
        Assert.Equal([new Participant("conn-alive", "Alive")], (await room.GetSnapshot()).Participants);
        Assert.DoesNotContain(events.Pending(), e => e is ParticipantLeft);
    }
}
