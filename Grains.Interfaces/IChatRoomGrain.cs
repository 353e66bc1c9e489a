using Orleans.Concurrency;
using OrleansChat.Model;

namespace OrleansChat;

/// <summary>
/// The authority for one chat room (key: the room id). Participants are identified by WebFront's connection id.
/// Every operation validates its input and answers with a <see cref="ChatStatus"/> rather than throwing.
/// </summary>
[Alias("OrleansChat.IChatRoomGrain")]
public interface IChatRoomGrain : IGrainWithStringKey
{
    /// <summary>Adds a participant and returns the room snapshot to welcome it with.</summary>
    [Alias("Join")]
    Task<JoinResult> Join(string connectionId, string displayName);

    /// <summary>Replaces the participant's draft with <paramref name="text"/> unless a newer one was seen.</summary>
    [Alias("UpdateDraft")]
    Task<ChatStatus> UpdateDraft(string connectionId, string text, long senderSeq);

    /// <summary>Appends a message to history (idempotent by client message id), then publishes it.</summary>
    [Alias("Commit")]
    Task<CommitResult> Commit(string connectionId, string text, string clientMessageId);

    /// <summary>Discards the participant's draft.</summary>
    [Alias("CancelDraft")]
    Task<ChatStatus> CancelDraft(string connectionId);

    /// <summary>Removes the participant and its draft. Leaving twice is harmless.</summary>
    [Alias("Leave")]
    Task Leave(string connectionId);

    /// <summary>
    /// Renews the presence leases of these connections (WebFront calls this periodically for its sockets);
    /// returns the ids the room does not know (it forgot them: they should join again) and the room sequence number.
    /// </summary>
    [Alias("RenewLeases")]
    Task<LeaseRenewal> RenewLeases(string[] connectionIds);

    /// <summary>The current room snapshot (participants, drafts, newest history, room sequence).</summary>
    [Alias("GetSnapshot")]
    [ReadOnly]
    Task<RoomSnapshot> GetSnapshot();
}
