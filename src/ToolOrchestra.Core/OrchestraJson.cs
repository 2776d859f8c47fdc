using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ToolOrchestra.Core;

/// <summary>The one set of JSON options for our own files: snake_case, invariant, indented output.</summary>
public static class OrchestraJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Compact variant for one-line outputs and wire payloads.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}

/// <summary>
/// Source-generated metadata for the engine's ad-hoc JSON (tool schemas, tool-call arguments), so that path runs with
/// reflection-based serialization off (NativeAOT, trimmed and file-based apps). Argument values are whatever a parser
/// or an SDK put in an <c>object?</c>: JSON elements and primitives, each listed here.
/// </summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(IDictionary<string, object?>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, object?>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
public sealed partial class OrchestraJsonContext : JsonSerializerContext;
