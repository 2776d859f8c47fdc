using ToolOrchestra.Core;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>One QA episode to run: the problem, the user's preferences, and its limits.</summary>
public sealed record QaRunRequest(
    string Problem,
    Preferences Preferences,
    int MaxTurns = 50,
    int MaxErrors = 10,
    decimal? BudgetUsd = null,
    double? BudgetSeconds = null,
    string? Eid = null,
    string? Id = null);

/// <summary>
/// The non-LLM tools behind <c>search</c> and <c>enhance_reasoning</c>. A missing one makes that tool answer with a
/// clear "not configured" observation instead of failing the run.
/// </summary>
public sealed record QaToolServices(Tools.IRetriever? Retriever = null, Tools.ICodeRunner? CodeRunner = null, int TopK = 30)
{
    public static readonly QaToolServices None = new();
}
