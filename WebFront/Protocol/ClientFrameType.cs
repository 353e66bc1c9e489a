namespace OrleansChat.WebFront.Protocol;

/// <summary>The kinds of frame a client may send (the <c>type</c> field).</summary>
internal enum ClientFrameType
{
    Join,
    Chunk,
    Commit,
    Cancel,
    Resync,
}
