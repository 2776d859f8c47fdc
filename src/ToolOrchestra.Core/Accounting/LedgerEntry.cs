namespace ToolOrchestra.Core.Accounting;

/// <summary>
/// One accounted call: an orchestrator generation, an expert call, a code execution, a search.
/// <see cref="TokensEstimated"/> is true when the endpoint reported no usage and the counts were estimated.
/// <see cref="InnerRunId"/> names the run a nested orchestrator made for this call (recursive orchestration).
/// <see cref="Cached"/> is true when the call was replayed from the response cache: its tokens, dollars and seconds are
/// those of the call when it was made (so the reward sees the same episode), but no real money was spent on it; real
/// spend (<see cref="Ledger.PaidUsd"/>, a shared <see cref="ISpendAccount"/>) leaves it out.
/// </summary>
public sealed record LedgerEntry(
    int Turn,
    CallKind Kind,
    string Tool,
    string? Alias,
    string? Model,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    double LatencySeconds,
    bool TokensEstimated = false,
    string? InnerRunId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool Cached = false)
{
    /// <summary>This call's share of the paper's latency (<see cref="PaperLatency"/>).</summary>
    public double ToolSeconds => PaperLatency.Of(Kind == CallKind.Orchestrator, LatencySeconds);
}

/// <summary>
/// The paper's latency, defined here and nowhere else: seconds spent in tool calls (experts, code, retrieval); the
/// orchestrator's own generation counts nothing. A trajectory's latency is the sum over its calls.
/// </summary>
public static class PaperLatency
{
    public static double Of(bool orchestratorGeneration, double seconds) => orchestratorGeneration ? 0 : seconds;
}

/// <summary>What was called. Orchestrator generations are not tool calls: the paper's latency leaves them out.</summary>
public enum CallKind
{
    Orchestrator,
    Expert,
    Code,
    Search,
    WebSearch,
    Tool,
}
