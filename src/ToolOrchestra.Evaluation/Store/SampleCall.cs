using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Evaluation.Store;

/// <summary>
/// One ledger entry of a stored sample (its <c>calls</c> column), with the field names of <c>orchestra run --json</c>'s
/// calls plus <c>kind</c> (orchestrator, expert, code, search, web_search, tool). The harness writes it, reports read it;
/// orchestrator generations are not tool calls: call counts and the paper's latency leave them out.
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
    [property: JsonPropertyName("latency_s")] double LatencySeconds,
    [property: JsonPropertyName("tokens_estimated")] bool TokensEstimated = false)
{
    private static readonly JsonSerializerOptions Json = new(OrchestraJson.Compact) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static SampleCall From(LedgerEntry e) => new(e.Turn, JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Kind.ToString()), e.Tool, e.Alias,
        e.Model, e.InputTokens, e.OutputTokens, e.CostUsd, e.LatencySeconds, e.TokensEstimated);

    /// <summary>A sample's <c>calls</c> column for a ledger.</summary>
    public static string ToJson(IEnumerable<LedgerEntry> ledger) => JsonSerializer.Serialize(ledger.Select(From).ToList(), Json);

    public bool IsOrchestrator => string.Equals(Kind, "orchestrator", StringComparison.OrdinalIgnoreCase);

    /// <summary>This call's share of the paper's latency (<see cref="PaperLatency"/>).</summary>
    public double ToolSeconds => PaperLatency.Of(IsOrchestrator, LatencySeconds);

    /// <summary>A model call under its alias, or a tool execution under its tool, as <see cref="CallCount"/> defines.</summary>
    public CountedCall Counted => CallCount.Of(IsOrchestrator, Tool ?? "(unnamed)", Alias, Model);

    /// <summary>
    /// Parses a sample's calls with a forward-only reader (reports parse a million of these; unknown fields are
    /// skipped); <paramref name="where"/> names the run and sample when the JSON is broken.
    /// </summary>
    public static IReadOnlyList<SampleCall> Parse(string json, string where)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var reader = new Utf8JsonReader(bytes.AsSpan(0, Encoding.UTF8.GetBytes(json, bytes)));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected an array");
            var calls = new List<SampleCall>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected an object per call");
                int turn = 0;
                string? kind = null, tool = null, alias = null, model = null;
                long input = 0, output = 0;
                decimal cost = 0;
                double latency = 0;
                var estimated = false;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.ValueSpan;
                    reader.Read();
                    if (name.SequenceEqual("turn"u8)) turn = reader.GetInt32();
                    else if (name.SequenceEqual("kind"u8)) kind = Text(ref reader);
                    else if (name.SequenceEqual("tool"u8)) tool = Text(ref reader);
                    else if (name.SequenceEqual("alias"u8)) alias = Text(ref reader);
                    else if (name.SequenceEqual("model"u8)) model = Text(ref reader);
                    else if (name.SequenceEqual("input_tokens"u8)) input = reader.GetInt64();
                    else if (name.SequenceEqual("output_tokens"u8)) output = reader.GetInt64();
                    else if (name.SequenceEqual("cost_usd"u8)) cost = reader.TokenType == JsonTokenType.String ? decimal.Parse(reader.GetString()!, CultureInfo.InvariantCulture) : reader.GetDecimal();
                    else if (name.SequenceEqual("latency_s"u8)) latency = reader.GetDouble();
                    else if (name.SequenceEqual("tokens_estimated"u8)) estimated = reader.TokenType == JsonTokenType.True;
                    else reader.Skip();
                }
                calls.Add(new SampleCall(turn, kind, tool, alias, model, input, output, cost, latency, estimated));
            }
            return calls;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new UserError($"{where}: its calls are not a JSON array of ledger entries ({e.Message}); the store was written by another tool or damaged.");
        }
        finally { ArrayPool<byte>.Shared.Return(bytes); }
    }

    /// <summary>A string field, with the few names every call repeats (kinds, tools) shared rather than allocated per call.</summary>
    private static string? Text(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.ValueTextEquals("orchestrator"u8)) return "orchestrator";
        if (reader.ValueTextEquals("expert"u8)) return "expert";
        return reader.GetString();
    }
}
