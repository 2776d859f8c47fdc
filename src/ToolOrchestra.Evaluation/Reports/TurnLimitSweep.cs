namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// Accuracy and cost of one run had it been stopped after <see cref="MaxTurns"/> turns, derived from its stored
/// samples rather than rerun: a sample counts as correct within k turns when it was judged correct and answered at
/// turn k or earlier; its dollars and tool seconds are those of its calls whose turn is at most k. This equals a
/// rerun with a k-turn limit only when the policy never sees the limit (its prompt does not show it), which is the
/// case for the QA protocol; <see cref="BeyondRunLimit"/> marks limits above the run's own, where nothing changes.
/// </summary>
public sealed record TurnLimitPoint(int MaxTurns, double Accuracy, decimal DollarsPerTask, double SecondsPerTask, bool BeyondRunLimit);

/// <summary>The turn-limit sweep of one run.</summary>
public sealed record TurnLimitSweep(string RunId, int? RunMaxTurns, int LongestSample, IReadOnlyList<TurnLimitPoint> Points)
{
    public static readonly IReadOnlyList<int> DefaultLimits = [10, 20, 50, 100];

    public const string Derivation =
        "Derived from each run's stored samples (their turns and per-call ledger), not rerun: a sample is correct within k turns when it answered correctly at turn ≤ k; " +
        "its dollars and tool seconds are those of its calls in turns ≤ k. This stands for a k-turn limit because the policy's prompt never shows the limit.";
}
