namespace ToolOrchestra.Core.Accounting;

/// <summary>
/// One accounted call: an orchestrator generation, an expert call, a code execution, a search.
/// <see cref="TokensEstimated"/> is true when the endpoint reported no usage and the counts were estimated.
/// <see cref="InnerRunId"/> names the run a nested orchestrator made for this call (recursive orchestration).
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
    string? InnerRunId = null);

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
