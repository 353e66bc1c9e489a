using System.ComponentModel.DataAnnotations;

namespace OrleansChat;

/// <summary>
/// Limits on what a participant may send. Bound from the <c>Chat:Limits</c> configuration section by both the
/// silo (the authority) and WebFront (which rejects bad input early, before a grain call).
/// </summary>
public sealed class ChatLimits
{
    public const string SectionName = "Chat:Limits";

    /// <summary>Longest display name, in characters, after trimming.</summary>
    [Range(1, 256)]
    public int MaxNameLength { get; set; } = 32;

    /// <summary>Longest draft or committed message, in characters.</summary>
    [Range(1, 100_000)]
    public int MaxDraftLength { get; set; } = 4_000;

    /// <summary>
    /// How many committed messages a room keeps (the newest ones); older ones are trimmed as new ones are appended.
    /// A commit costs the same whatever this is: history is an append-only log (docs/history.md).
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxHistory { get; set; } = 10_000;

    /// <summary>How long a committed message is kept; older ones are trimmed. Zero: no age limit (count only).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan HistoryMaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long a room whose history nobody touched (no commit, no join) is kept at all: its stored keys expire
    /// after this, so abandoned rooms cost nothing forever. Every commit and every new activation renews it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan RoomExpiry { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a client message id is recognised, so a retried commit is stored once, however many messages came
    /// since (independent of <see cref="MaxHistory"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most client message ids one room remembers for <see cref="IdempotencyWindow"/> (the oldest go first).</summary>
    [Range(1, 10_000_000)]
    public int MaxIdempotencyKeys { get; set; } = 100_000;

    /// <summary>Most messages one page of scrollback (a <c>history</c> request) returns.</summary>
    [Range(1, 1_000)]
    public int HistoryPageSize { get; set; } = 100;

    /// <summary>
    /// Most new rooms (rooms nobody had used, or whose history expired) one client address may create per minute.
    /// Zero: no cap (the load tool sets that). Joining an existing room is never limited by this.
    /// </summary>
    [Range(0, 1_000_000)]
    public int NewRoomsPerMinutePerAddress { get; set; } = 30;

    /// <summary>How many of the newest messages a joiner receives in its welcome snapshot.</summary>
    [Range(0, 100_000)]
    public int SnapshotHistory { get; set; } = 100;

    /// <summary>
    /// Most characters of message text a welcome snapshot carries: fewer than <see cref="SnapshotHistory"/> messages
    /// when they are long (the client pages older ones in). Bounds what one cheap request (join, resync) costs.
    /// </summary>
    [Range(1, 10_000_000)]
    public int SnapshotHistoryMaxChars { get; set; } = 64_000;

    /// <summary>Longest draft text in a welcome snapshot; longer drafts are cut to this and marked truncated.</summary>
    [Range(1, 100_000)]
    public int SnapshotDraftPreviewChars { get; set; } = 280;

    /// <summary>
    /// How long a participant stays without its WebFront renewing its lease (WebFront renews every third of this).
    /// A WebFront that dies without saying goodbye leaves no ghost typers for longer than this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Most participants one room accepts at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxParticipantsPerRoom { get; set; } = 1_000;

    /// <summary>
    /// Most participants one client address may be in one room at once, so one address cannot fill a room (WebFront
    /// passes the address; behind a proxy, the one a trusted proxy forwarded). Zero: no cap (the load tool sets that).
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxParticipantsPerRoomPerAddress { get; set; } = 100;
}
