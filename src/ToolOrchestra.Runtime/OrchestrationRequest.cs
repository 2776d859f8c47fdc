using ToolOrchestra.Core;

namespace ToolOrchestra.Runtime;

/// <summary>
/// One problem for the orchestrator, with the user's preferences and optional limits; unset limits come from the
/// engine's options, then the catalog's <c>limits</c>.
/// </summary>
public sealed record OrchestrationRequest(string Problem)
{
    public Preferences Preferences { get; init; } = Preferences.None;
    public int? MaxTurns { get; init; }
    public int? MaxErrors { get; init; }
    public decimal? BudgetUsd { get; init; }
    public double? BudgetSeconds { get; init; }

    /// <summary>The per-question id that selects allowed documents (<c>--allowed-ids</c> map) and the <c>/retrieve</c> eid.</summary>
    public string? Eid { get; init; }

    /// <summary>The run id (names the trajectory file); a fresh one when null.</summary>
    public string? Id { get; init; }
}
