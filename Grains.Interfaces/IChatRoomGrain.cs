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

    /// <summary>
    /// The same; with <paramref name="mayCreateRoom"/> false, a room that does not exist yet is not created and the
    /// answer is <see cref="ChatStatus.RoomCreationLimited"/> (WebFront's per-address cap on new rooms).
    /// </summary>
    [Alias("JoinIfAllowed")]
    Task<JoinResult> Join(string connectionId, string displayName, bool mayCreateRoom);

    /// <summary>
    /// The same, counting the participant against <paramref name="clientAddress"/> (at most
    /// <see cref="ChatLimits.MaxParticipantsPerRoomPerAddress"/> per room; null: not counted).
    /// </summary>
    [Alias("JoinFromAddress")]
    Task<JoinResult> Join(string connectionId, string displayName, bool mayCreateRoom, string? clientAddress);

    /// <summary>Replaces the participant's draft with <paramref name="text"/> unless a newer one was seen.</summary>
    [Alias("UpdateDraft")]
    Task<ChatStatus> UpdateDraft(string connectionId, string text, long senderSeq);

    /// <summary>
    /// Appends a message to history (idempotent by client message id for <see cref="ChatLimits.IdempotencyWindow"/>),
    /// then publishes it. Nothing is changed, published or confirmed unless the append was stored; a store failure
    /// throws, and a retry with the same id stores the message exactly once.
    /// </summary>
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

    /// <summary>
    /// Scrollback: up to <paramref name="limit"/> (at most <see cref="ChatLimits.HistoryPageSize"/>) committed messages
    /// with a sequence number below <paramref name="beforeSeq"/>, oldest first.
    /// </summary>
    [Alias("GetHistory")]
    [AlwaysInterleave]
    Task<HistoryPage> GetHistory(long beforeSeq, int limit);

    /// <summary>The current room snapshot (participants, drafts, newest history, room sequence).</summary>
    [Alias("GetSnapshot")]
    [ReadOnly]
    Task<RoomSnapshot> GetSnapshot();
}
