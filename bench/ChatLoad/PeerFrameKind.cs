namespace OrleansChat.Bench;

/// <summary>The frame types of the raw WebSocket reference peers (see <see cref="PeerFrame"/>).</summary>
public enum PeerFrameKind
{
    Other,
    Joined,
    Chunk,
    Commit,
    Error,
}
