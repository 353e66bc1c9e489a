using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace OrleansChat.Infra.Tests;

/// <summary>Plain JSON views of a synthesized template, for the checks that walk it rather than match one resource.</summary>
internal static class TemplateJson
{
    public static JsonObject Parse(Template template) =>
        JsonNode.Parse(JsonSerializer.Serialize(template.ToJSON()))!.AsObject();

    public static IReadOnlyList<(string Id, JsonObject Resource)> Resources(JsonObject template, string type) =>
        template["Resources"]!.AsObject()
            .Where(resource => (string?)resource.Value!["Type"] == type)
            .Select(resource => (resource.Key, resource.Value!.AsObject()))
            .ToList();

    public static (string Id, JsonObject Resource) Single(JsonObject template, string type) =>
        Assert.Single(Resources(template, type));

    public static JsonObject Properties(JsonObject resource) => resource["Properties"]!.AsObject();

    /// <summary>
    /// A string as CloudFormation will build it, with intrinsics shown as <c>{Ref:Id}</c> and <c>{GetAtt:Id.Attribute}</c>
    /// (Fn::Base64 and Fn::Join are unwrapped).
    /// </summary>
    public static string Render(JsonNode? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, JsonNode? value)
    {
        switch (value)
        {
            case JsonValue scalar:
                text.Append(scalar.ToString());
                break;
            case JsonObject { Count: 1 } intrinsic when intrinsic["Fn::Base64"] is { } inner:
                Append(text, inner);
                break;
            case JsonObject { Count: 1 } intrinsic when intrinsic["Fn::Join"] is JsonArray join:
                var separator = (string)join[0]!;
                var parts = join[1]!.AsArray();
                for (var i = 0; i < parts.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(separator);
                    }

                    Append(text, parts[i]);
                }

                break;
            case JsonObject { Count: 1 } intrinsic when intrinsic["Ref"] is { } reference:
                text.Append("{Ref:").Append((string)reference!).Append('}');
                break;
            case JsonObject { Count: 1 } intrinsic when intrinsic["Fn::GetAtt"] is JsonArray attribute:
                text.Append("{GetAtt:").Append((string)attribute[0]!).Append('.').Append((string)attribute[1]!).Append('}');
                break;
            case JsonObject { Count: 1 } intrinsic when intrinsic["Fn::ImportValue"] is { } import:
                text.Append("{Import:").Append(Render(import)).Append('}');
                break;
            default:
                throw new InvalidOperationException($"Cannot render {value?.ToJsonString()}");
        }
    }
}
