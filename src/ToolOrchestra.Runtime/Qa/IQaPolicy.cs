using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// What a policy sees at the start of a turn: the rebuilt prompt (system + user), and the structured state a
/// non-LLM policy scores from (documents, code outputs, money and time spent, the actions it may take).
/// </summary>
public sealed record QaObservation(
    int Turn,
    string Problem,
    Preferences Preferences,
    QaContext Context,
    QaToolset Toolset,
    IReadOnlyList<PromptMessage> Prompt,
    decimal CostUsd,
    double Seconds,
    decimal? BudgetUsd = null);

/// <summary>A tool call as the policy emitted it; <see cref="Error"/> is set when it could not be parsed.</summary>
public sealed record PolicyCall(string Name, string ArgumentsJson, string? Error = null);

/// <summary>The policy's output for one turn: raw text for the trajectory, reasoning, visible text, calls in order.</summary>
public sealed record PolicyDecision(string RawOutput, string? Reasoning, string Text, IReadOnlyList<PolicyCall> Calls);

/// <summary>
/// Decides the next QA tool call: Orchestrator-8B behind an endpoint, a prompted LLM, a heuristic or a learned
/// policy. A policy that costs money records it in the ledger with <see cref="CallKind.Orchestrator"/>.
/// </summary>
public interface IQaPolicy
{
    string Name { get; }
    Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct);
}
