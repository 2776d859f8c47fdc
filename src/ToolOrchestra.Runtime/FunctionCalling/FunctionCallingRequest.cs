using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Runtime.FunctionCalling;

/// <summary>
/// One function-calling episode to open (<see cref="IOrchestrator.StartConversation"/>): the environment's prompts and
/// tools, what the episode is about (its task, for the trajectory), the user's preferences and optional limits. Turns
/// and errors are the environment's to limit (tau2's max steps and errors) unless set here; unset budgets come from the
/// engine's options, then the catalog's <c>limits</c>.
/// </summary>
public sealed record FunctionCallingRequest(FunctionCallingSetup Setup, string Problem)
{
    public Preferences Preferences { get; init; } = Preferences.None;

    /// <summary>The run id (e.g. the simulation's id); a fresh one when null.</summary>
    public string? Id { get; init; }

    public int? MaxTurns { get; init; }
    public int? MaxErrors { get; init; }
    public decimal? BudgetUsd { get; init; }
    public double? BudgetSeconds { get; init; }

    /// <summary>Money shared with other runs that every paid call must also fit (see <see cref="OrchestrationRequest.Account"/>).</summary>
    public ISpendAccount? Account { get; init; }
}
