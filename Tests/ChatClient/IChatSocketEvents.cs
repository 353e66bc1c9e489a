namespace OrleansChat.Client;

/// <summary>
/// What a <see cref="ReconnectingChatSocket"/> reports to its owner, from its receive loop, one call at a time, in
/// arrival order. Frames are handed over as received bytes (valid only during the call) with their parsed fields.
/// </summary>
public interface IChatSocketEvents
{
    /// <summary>
    /// A welcome arrived (<paramref name="first"/> on this socket's first ever; later ones follow a reconnect or a
    /// resync). Called before the draft and unconfirmed commits go again.
    /// </summary>
    void OnWelcome(WelcomeFrame welcome, bool first, bool reconnected, ReadOnlySpan<byte> utf8, long arrivedAt);

    /// <summary>Any other frame; <paramref name="order"/> places a room event (seq &gt; 0) against what was seen.</summary>
    void OnFrame(in ServerFrame frame, EventOrder order, ReadOnlySpan<byte> utf8, long arrivedAt);

    /// <summary>The connection ended (the client reconnects unless disposed): why, e.g. "closed 1012" or "failed IOException".</summary>
    void OnDisconnected(string reason, bool wasLive);
}
