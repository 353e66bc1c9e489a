namespace OrleansChat.WebFront.Protocol;

/// <summary>A parsed client frame: the type plus whichever fields were present.</summary>
internal readonly record struct ClientFrame(
    ClientFrameType Type,
    string? Room,
    string? Name,
    string? Text,
    long? Seq,
    string? Id);
