using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Qa.Tools;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>One QA episode to run: the problem, the user's preferences, and its limits.</summary>
internal sealed record QaRunRequest(
    string Problem,
    Preferences Preferences,
    int MaxTurns = 50,
    int MaxErrors = 10,
    decimal? BudgetUsd = null,
    double? BudgetSeconds = null,
    string? Eid = null,
    string? Id = null,
    Core.Accounting.ISpendAccount? Account = null)
{
    public Episodes.EpisodeLimits Limits => new(MaxTurns, MaxErrors, BudgetUsd, BudgetSeconds, Account);
}

/// <summary>
/// The non-LLM services behind <c>search</c> and <c>enhance_reasoning</c>. A missing one makes that tool answer with a
/// clear "not configured" observation instead of failing the run. <see cref="TopK"/>, documents per search, is the
/// caller's explicit choice (e.g. <c>--top-k</c>, or a world calibrated for 5); null takes the protocol variant's
/// (hle 50, frames 150, train 30), else <see cref="DefaultTopK"/>.
/// </summary>
internal sealed record QaToolServices(IRetriever? Retriever = null, ICodeRunner? CodeRunner = null, int? TopK = null)
{
    public const int DefaultTopK = 30;

    public static readonly QaToolServices None = new();

    /// <summary>The QA protocol's tools in the order the reference declares them: enhance_reasoning, answer, search.</summary>
    public IReadOnlyList<IOrchestratorTool> BuiltInTools() =>
        [new EnhanceReasoningTool(CodeRunner), new AnswerTool(), new SearchTool(Retriever, TopK)];
}
