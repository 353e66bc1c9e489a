namespace OrleansChat.Model;

/// <summary>The answer to a commit: a status and, when it is Ok or Duplicate, the stored message.</summary>
[GenerateSerializer, Immutable]
public sealed record CommitResult(
    [property: Id(0)] ChatStatus Status,
    [property: Id(1)] ChatMessage? Message);
