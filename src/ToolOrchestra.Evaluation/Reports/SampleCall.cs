using System.Text.Json;
using System.Text.Json.Serialization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// One ledger entry of a stored sample (its <c>calls</c> column), with the field names of <c>orchestra run --json</c>'s
/// calls plus <c>kind</c>. Orchestrator generations are not tool calls: call counts and the paper's latency leave them out.
/// </summary>
public sealed record SampleCall(
    [property: JsonPropertyName("turn")] int Turn,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("tool")] string? Tool,
    [property: JsonPropertyName("alias")] string? Alias,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("cost_usd")] decimal CostUsd,
    [property: JsonPropertyName("latency_s")] double LatencySeconds)
{
    public bool IsOrchestrator => string.Equals(Kind, "orchestrator", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a sample's calls; <paramref name="where"/> names the run and sample when the JSON is broken.</summary>
    public static IReadOnlyList<SampleCall> Parse(string json, string where)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize(json, SampleCallJson.Default.SampleCallArray) ?? [];
        }
        catch (JsonException e)
        {
            throw new UserError($"{where}: its calls are not a JSON array of ledger entries ({e.Message}); the store was written by another tool or damaged.");
        }
    }
}

[JsonSerializable(typeof(SampleCall[]))]
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class SampleCallJson : JsonSerializerContext;
