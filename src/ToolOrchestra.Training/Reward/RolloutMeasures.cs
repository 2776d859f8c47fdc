using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Training.Reward;

/// <summary>
/// What the reward reads from one rollout (one trajectory of a task): how many turns' FIRST tool call named each
/// alias (reference §5.2 feature m_a), whether the final answer was judged correct, and the dollars and seconds
/// the rollout spent (the paper's latency: tool calls only, orchestrator generation excluded).
/// </summary>
public sealed record RolloutMeasures(
    IReadOnlyDictionary<string, int> FirstCallsPerAlias,
    bool Solved,
    decimal CostUsd,
    double LatencySeconds)
{
    /// <summary>Measures of a finished trajectory from its ledger and its judged outcome.</summary>
    public static RolloutMeasures FromLedger(Ledger ledger, bool solved) =>
        new(ledger.FirstCallsPerAlias(), solved, ledger.CostUsd, ledger.ToolLatencySeconds);

    /// <summary>
    /// Measures from the alias of each turn's first call, in turn order; <c>null</c> marks a turn without a valid
    /// call (it counts for no alias, as in the reference).
    /// </summary>
    public static RolloutMeasures FromTurns(IEnumerable<string?> firstCallAliasPerTurn, bool solved, decimal costUsd, double latencySeconds)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var alias in firstCallAliasPerTurn)
            if (alias is not null)
                counts[alias] = counts.GetValueOrDefault(alias) + 1;
        return new RolloutMeasures(counts, solved, costUsd, latencySeconds);
    }
}
