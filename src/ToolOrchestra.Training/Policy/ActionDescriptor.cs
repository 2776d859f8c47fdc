using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// One action of the QA protocol, a tool with an alias, described by what the orchestrator is shown about it (tool
/// kind, prices, average latency, capability words) rather than by its name, so the policy can score aliases and
/// models it never saw in training.
/// </summary>
public sealed record ActionDescriptor(
    string Tool,
    string Alias,
    decimal InputPricePerMillion,
    decimal OutputPricePerMillion,
    double LatencySeconds,
    string Description);

/// <summary>A call made earlier in the episode (the first call of a turn).</summary>
public sealed record PastCall(string Tool, string Alias);

/// <summary>The QA protocol's tools (reference §2) and the action set a catalog offers.</summary>
public static class QaActionSet
{
    public const string Search = "search", EnhanceReasoning = "enhance_reasoning", Answer = "answer";

    public static readonly IReadOnlyList<string> Tools = [Search, EnhanceReasoning, Answer];

    /// <summary>The tool an alias belongs to by the reference's naming (<c>search-*</c>, <c>reasoner-*</c>, <c>answer-*</c>); null otherwise.</summary>
    public static string? ToolOf(string alias) =>
        alias.StartsWith("search-", StringComparison.Ordinal) ? Search
        : alias.StartsWith("reasoner-", StringComparison.Ordinal) ? EnhanceReasoning
        : alias.StartsWith("answer-", StringComparison.Ordinal) ? Answer
        : null;

    /// <summary>Every QA action of a catalog, in alias order; aliases of other protocols (<c>expert-*</c>) are left out.</summary>
    public static IReadOnlyList<ActionDescriptor> FromCatalog(Catalog catalog) =>
        catalog.Aliases.Values
            .Where(a => ToolOf(a.Alias) is not null)
            .OrderBy(a => a.Alias, StringComparer.Ordinal)
            .Select(a =>
            {
                var model = catalog.Models[a.Model];
                return new ActionDescriptor(ToolOf(a.Alias)!, a.Alias, model.Price.InputPerMillion, model.Price.OutputPerMillion,
                    a.LatencySeconds ?? 0, a.Description ?? "");
            })
            .ToList();

    /// <summary>Which actions the hard constraints allow (a masked action gets probability exactly 0).</summary>
    public static bool[] Allowed(IReadOnlyList<ActionDescriptor> actions, Core.Preferences preferences, Catalog catalog) =>
        actions.Select(a => preferences.Allows(a.Alias, catalog, out _)).ToArray();
}
