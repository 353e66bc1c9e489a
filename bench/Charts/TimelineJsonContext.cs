using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansChat.Bench.Charts;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Timeline))]
internal sealed partial class TimelineJsonContext : JsonSerializerContext;
