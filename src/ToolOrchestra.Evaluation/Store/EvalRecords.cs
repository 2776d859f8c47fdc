namespace ToolOrchestra.Evaluation.Store;

/// <summary>
/// One evaluation run: a benchmark under one setup and orchestrator. <c>SettingsJson</c> keeps what produced it (task
/// file, catalog, protocol, limits) so a rerun with the same id can refuse different settings instead of mixing them.
/// </summary>
public sealed record EvalRunInfo(
    string RunId,
    string Benchmark,
    string Setup,
    string Orchestrator,
    string Config,
    string? Protocol,
    string SettingsJson,
    DateTimeOffset CreatedAt);

/// <summary>Where a sample stands: <c>done</c> (scored), <c>failed</c> (an error; retried on rerun up to a limit).</summary>
public static class SampleStatus
{
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>
/// One sample of a run, as scored: the answer and its verdict, the orchestrator's dollars and seconds (the judge's
/// dollars apart), turns, stop reason, the per-call ledger (<c>CallsJson</c>: an array of ledger entries, each with its
/// turn) and the trajectory. <c>Correct</c> is null when the sample failed before it could be scored or was not evaluated; <c>Reward</c>
/// carries a graded score where the benchmark has one (tau2's reward), otherwise 1/0 like <c>Correct</c>.
/// </summary>
public sealed record EvalSample(string RunId, string SampleId)
{
    /// <summary>The verdict source of a scored sample whose verdict is unknown (tau2's NL assertions without a judge): counted apart, never as wrong.</summary>
    public const string NotEvaluated = "not_evaluated";

    /// <summary>Done, but its verdict could not be reached (<see cref="NotEvaluated"/>): neither correct nor wrong.</summary>
    public bool IsNotEvaluated => Status == SampleStatus.Done && VerdictSource == NotEvaluated;

    public string Status { get; init; } = SampleStatus.Done;
    public int Attempts { get; init; } = 1;
    /// <summary>The shard that produced it (<c>i/N</c>), for merges and diagnostics.</summary>
    public string? Shard { get; init; }
    public string? TaskId { get; init; }
    public string? Answer { get; init; }
    public string? Gold { get; init; }
    public bool? Correct { get; init; }
    public double? Reward { get; init; }
    /// <summary>How the verdict was reached: <c>exact</c>, <c>judge</c>, <c>tau2</c>, <c>simulated</c>….</summary>
    public string? VerdictSource { get; init; }
    public decimal CostUsd { get; init; }
    public decimal JudgeCostUsd { get; init; }
    /// <summary>Tool-call seconds (the paper's latency: orchestrator generation excluded).</summary>
    public double ToolSeconds { get; init; }
    /// <summary>End-to-end seconds of the sample.</summary>
    public double WallSeconds { get; init; }
    public int Turns { get; init; }
    public string? StopReason { get; init; }
    public string? Error { get; init; }
    public string CallsJson { get; init; } = "[]";
    /// <summary>The whole trajectory as JSON; not loaded by reports unless asked for (it is the bulk of the store).</summary>
    public string? TrajectoryJson { get; init; }
    public DateTimeOffset UpdatedAt { get; init; } = DateTimeOffset.UtcNow;
}

