using System.Text.Json.Serialization;

namespace OrleansChat.WebFront.Protocol;

/// <summary>Source-generated System.Text.Json metadata for every server frame (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(JoinedFrame))]
[JsonSerializable(typeof(LeftFrame))]
[JsonSerializable(typeof(ChunkFrame))]
[JsonSerializable(typeof(ClearedFrame))]
[JsonSerializable(typeof(CommitFrame))]
[JsonSerializable(typeof(HistoryFrame))]
[JsonSerializable(typeof(CommittedFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(GoingAwayFrame))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
