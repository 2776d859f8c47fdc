namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// One row of Table 1: a run's accuracy, dollars, seconds, turns and calls per task. Every stored sample counts once
/// (a retried sample is one row of the store); a failed sample counts as an error and as not correct; a sample not
/// evaluated (tau2's NL assertions without a judge) is counted apart, so accuracy is over all samples but those. Dollars are the orchestrator's (its own generations and every tool and expert call); the judge's
/// dollars are apart. Seconds are the paper's latency: tool-call seconds, the orchestrator's generation excluded.
/// Calls per alias and per model count the experts' model calls only (the orchestrator's generations are in
/// <see cref="OrchestratorCallsPerTask"/>); the searches and code runs those calls asked for are tool executions, per tool
/// in <see cref="ToolExecutionsPerTask"/>, never a second call to the alias (<see cref="Core.Accounting.CallCount"/>).
/// </summary>
public sealed record RunMetrics(
    string RunId,
    string Benchmark,
    string Setup,
    string Orchestrator,
    string Config,
    string? Protocol,
    bool Simulated,
    int Samples,
    int Tasks,
    int Errors,
    int Correct,
    int NotEvaluated,
    double Accuracy,
    decimal DollarsPerTask,
    decimal JudgeDollarsPerTask,
    double SecondsPerTask,
    double WallSecondsPerTask,
    double TurnsPerTask,
    double ToolCallsPerTask,
    double OrchestratorCallsPerTask,
    IReadOnlyDictionary<string, double> CallsPerAlias,
    IReadOnlyDictionary<string, double> CallsPerModel,
    IReadOnlyDictionary<string, double> ToolExecutionsPerTask,
    IReadOnlyDictionary<string, int> ErrorsByKind);
