namespace OrleansChat.WebFront.Protocol;

/// <summary>An error to report to the client in an <c>error</c> frame: a stable code and words for people.</summary>
internal readonly record struct ProtocolError(string Code, string Message, string? Ref = null);
