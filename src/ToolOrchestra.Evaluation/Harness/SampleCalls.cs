using System.Text.Json;
using System.Text.Json.Serialization;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// One ledger entry as a sample's <c>calls</c> column stores it: the field names of <c>orchestra run --json</c>'s calls
/// (turn, tool, alias, model, input/output tokens, cost_usd, latency_s, tokens_estimated) plus <c>kind</c>
/// (orchestrator, expert, code, search, web_search, tool), so reports can tell orchestrator generations from tool calls.
/// </summary>
public sealed record SampleCall(
    int Turn,
    CallKind Kind,
    string Tool,
    string? Alias,
    string? Model,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    double LatencyS,
    bool TokensEstimated)
{
    public static SampleCall From(LedgerEntry e) =>
        new(e.Turn, e.Kind, e.Tool, e.Alias, e.Model, e.InputTokens, e.OutputTokens, e.CostUsd, e.LatencySeconds, e.TokensEstimated);

    private static readonly JsonSerializerOptions Json = new(OrchestraJson.Compact) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static string ToJson(IEnumerable<LedgerEntry> ledger) => JsonSerializer.Serialize(ledger.Select(From).ToList(), Json);
}
