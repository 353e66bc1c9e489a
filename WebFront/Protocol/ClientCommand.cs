namespace OrleansChat.WebFront.Protocol;

/// <summary>
/// A client frame turned into what it asks for. The parser checks the fields each command needs, so handlers only
/// see complete commands; the room checks the values (limits, names) again, since it trusts nobody.
/// </summary>
internal abstract record ClientCommand;

/// <summary><c>join</c>: enter <see cref="Room"/> (null: the default room) as <see cref="Name"/>.</summary>
internal sealed record JoinCommand(string? Room, string? Name) : ClientCommand;

/// <summary><c>chunk</c>: the whole current draft and the sender's sequence number.</summary>
internal sealed record ChunkCommand(string Text, long Seq) : ClientCommand;

/// <summary><c>commit</c>: turn <see cref="Text"/> into a message with the client's message id (idempotent).</summary>
internal sealed record CommitCommand(string? Text, string? Id) : ClientCommand;

/// <summary>
/// <c>history</c>: a page of committed messages older than <see cref="Before"/> (a message seq), at most
/// <see cref="Limit"/> (default <see cref="DefaultLimit"/>; clamped to the room's page size).
/// </summary>
internal sealed record HistoryCommand(long Before, long? Limit) : ClientCommand
{
    public const int DefaultLimit = 50;

    /// <summary>The <c>ref</c> of error frames that answer a history request.</summary>
    public const string ErrorRef = "history";
}

/// <summary><c>cancel</c>: discard the sender's draft.</summary>
internal sealed record CancelCommand : ClientCommand
{
    public static readonly CancelCommand Instance = new();
}

/// <summary><c>resync</c>: send a fresh welcome (the client saw a gap in the room sequence).</summary>
internal sealed record ResyncCommand : ClientCommand
{
    public static readonly ResyncCommand Instance = new();
}
