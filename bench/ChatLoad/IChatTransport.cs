namespace OrleansChat.Bench;

/// <summary>
/// One load client's connection as its protocol speaks it: connect and join, send chunks and commits, and report
/// every frame that arrives to the client's <see cref="IChatEvents"/>. The accounting (<see cref="BenchClient"/>) is
/// the same whatever the protocol; only this differs.
/// </summary>
public interface IChatTransport
{
    /// <summary>Whether the server sends room events back to their sender too (then a commit is confirmed by its echo).</summary>
    bool EchoesToSender { get; }

    bool IsOpen { get; }

    /// <summary>Whether a send goes out now (a reconnecting transport between sockets keeps it for the next welcome).</summary>
    bool IsLive => IsOpen;

    /// <summary>
    /// Opens the connection, joins <paramref name="room"/> as <paramref name="name"/> (unique within the run) and waits
    /// for the server's answer. Returns the id the other members see as this client's chunks' sender.
    /// </summary>
    Task<string> ConnectAsync(Uri uri, string room, string name, HttpMessageInvoker invoker, CancellationToken cancellationToken);

    /// <summary>Sends the whole current draft with the sender's sequence number.</summary>
    Task SendChunkAsync(string text, long seq, CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="text"/>; <paramref name="id"/> identifies the commit when it arrives (protocols without a
    /// message id carry it at the start of the text, before a space).
    /// </summary>
    Task SendCommitAsync(string text, string id, CancellationToken cancellationToken);

    /// <summary>Closes politely, or aborts after <paramref name="timeout"/>.</summary>
    Task CloseAsync(TimeSpan timeout);
}
