namespace ToolOrchestra.Evaluation.Reports;

/// <summary>One category's tool calls and their share of the run's tool calls.</summary>
public sealed record Share(string Name, long Calls, double Fraction);

/// <summary>
/// Where a run's tool calls (the experts' model calls) went, per tool, alias and model, each list in call order (the
/// order in which the run first called each one, so stacked bars read like the episodes); the searches and code runs
/// they asked for, per tool, as shares of the executions (<see cref="Core.Accounting.CallCount"/>); and the share of steps that went to the strongest
/// model. A step is a turn in which at least one tool was called; it went to the strongest model when any of its calls
/// did (<see cref="StrongestModel"/> says how that model was chosen). Null when the run made no tool calls.
/// </summary>
public sealed record CallShares(
    string RunId,
    long ToolCalls,
    IReadOnlyList<Share> Tools,
    IReadOnlyList<Share> Aliases,
    IReadOnlyList<Share> Models,
    IReadOnlyList<Share> Executions,
    string? StrongestModel,
    string StrongestModelRule,
    long Steps,
    long StrongestSteps,
    double? StrongestStepShare)
{
    public const string StrongestDefinition =
        "The strongest model is the one named with --strongest, else the highest-priced model of the run's catalog (output price per million tokens, then input; " +
        "the orchestrator's own model excluded), else the model with the highest observed dollars per token. A step is a turn with at least one tool call; " +
        "it went to the strongest model when any of its calls did.";
}
