using OrleansChat.Grains.Roster;
using OrleansChat.Model;

namespace OrleansChat.Grains.Tests;

/// <summary>The roster on its own: who is here, their drafts and leases, without Orleans.</summary>
public sealed class RoomRosterTests
{
    /// <summary>A reading of the room's monotonic lease clock.</summary>
    private static readonly TimeSpan Now = TimeSpan.FromMinutes(5);

    [Fact]
    public void AJoinerIsRefusedWhenAlreadyHereOrWhenTheRoomIsFull()
    {
        var roster = new RoomRoster(maxParticipants: 2);
        roster.Add(new Participant("a", "Ada"), Now);

        Assert.Equal(ChatStatus.AlreadyJoined, roster.CanAdd("a"));
        Assert.Equal(ChatStatus.Ok, roster.CanAdd("b"));
        roster.Add(new Participant("b", "Bob"), Now);
        Assert.Equal(ChatStatus.RoomFull, roster.CanAdd("c"));
    }

    [Fact]
    public void OnlyNewerSenderSequencesChangeADraftAcrossDrafts()
    {
        var roster = new RoomRoster(10);
        roster.Add(new Participant("a", "Ada"), Now);

        Assert.Equal(ChatStatus.Ok, roster.UpdateDraft("a", "hel", 5));
        Assert.Equal(ChatStatus.Stale, roster.UpdateDraft("a", "he", 5));
        Assert.True(roster.ClearDraft("a"));
        Assert.Equal(ChatStatus.Stale, roster.UpdateDraft("a", "old text back", 4));
        Assert.Empty(roster.Drafts());
        Assert.Equal(ChatStatus.Ok, roster.UpdateDraft("a", "new", 6));
        Assert.Equal([new Draft("a", "new", 6)], roster.Drafts());
        Assert.Equal(ChatStatus.Ok, roster.UpdateDraft("a", "", 7));
        Assert.Empty(roster.Drafts());
    }

    [Fact]
    public void LeavingTakesTheDraftTheSequenceAndTheLease()
    {
        var roster = new RoomRoster(10);
        roster.Add(new Participant("a", "Ada"), Now);
        roster.UpdateDraft("a", "typing", 9);

        Assert.True(roster.Remove("a"));
        Assert.False(roster.Remove("a"));
        Assert.Empty(roster.Drafts());
        Assert.Empty(roster.ExpiredAt(Now + TimeSpan.FromDays(1)));

        // Joining again starts a fresh sender sequence.
        roster.Add(new Participant("a", "Ada"), Now);
        Assert.Equal(ChatStatus.Ok, roster.UpdateDraft("a", "again", 1));
    }

    [Fact]
    public void RenewedLeasesOutliveUnrenewedOnesAndUnknownIdsAreReported()
    {
        var roster = new RoomRoster(10);
        roster.Add(new Participant("a", "Ada"), Now + TimeSpan.FromSeconds(15));
        roster.Add(new Participant("b", "Bob"), Now + TimeSpan.FromSeconds(15));

        var unknown = roster.RenewLeases(["a", "ghost"], Now + TimeSpan.FromSeconds(30));

        Assert.Equal(["ghost"], unknown);
        Assert.Equal(["b"], roster.ExpiredAt(Now + TimeSpan.FromSeconds(20)));
    }
}
