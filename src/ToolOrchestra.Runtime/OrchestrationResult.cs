using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Runtime;

/// <summary>
/// What one orchestrated run produced: the answer, why it stopped, dollars, the paper's latency (seconds in tool calls)
/// and wall-clock seconds, the per-call ledger, and where the trajectory is stored (null when no run store is used).
/// </summary>
public sealed record OrchestrationResult(
    string RunId,
    string? Answer,
    StopReason StopReason,
    string? StopDetail,
    decimal CostUsd,
    double LatencySeconds,
    double WallSeconds,
    IReadOnlyList<LedgerEntry> Calls,
    string? TrajectoryPath,
    Trajectory Trajectory)
{
    public long InputTokens => Calls.Sum(c => c.InputTokens);
    public long OutputTokens => Calls.Sum(c => c.OutputTokens);

    public static OrchestrationResult From(Trajectory t, string? path) => new(
        t.Id, t.Answer, t.StopReason ?? StopReason.Error, t.StopDetail, t.CostUsd, t.LatencySeconds, t.WallSeconds, t.Ledger, path, t);
}
