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

    /// <summary>How many committed messages a room keeps (the newest ones).</summary>
    [Range(1, 100_000)]
    public int MaxHistory { get; set; } = 500;

    /// <summary>How many of the newest messages a joiner receives in its welcome snapshot.</summary>
    [Range(0, 100_000)]
    public int SnapshotHistory { get; set; } = 100;

    /// <summary>
    /// How long a participant stays without its WebFront renewing its lease (WebFront renews every third of this).
    /// A WebFront that dies without saying goodbye leaves no ghost typers for longer than this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Most participants one room accepts at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxParticipantsPerRoom { get; set; } = 1_000;
}
