using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Core;

/// <summary>
/// One episode, complete enough to replay, audit and re-score: the preferences it ran under, every turn's prompt, raw
/// output, parsed call, observation and ledger entries, then the answer, why the episode stopped and, once judged,
/// its outcome. Stored one record per turn so a crash loses nothing (see the run store).
/// </summary>
public sealed record Trajectory(
    string Id,
    string Protocol,
    string Problem,
    string? PreferencesText,
    IReadOnlyList<TrajectoryTurn> Turns,
    string? Answer,
    StopReason? StopReason,
    string? StopDetail,
    decimal CostUsd,
    double LatencySeconds,
    double WallSeconds,
    IReadOnlyList<LedgerEntry> Ledger,
    DateTimeOffset StartedAt,
    Preferences? Preferences = null,
    TrajectoryOutcome? Outcome = null,
    string? Policy = null);

/// <summary>
/// How a finished episode was judged, for re-scoring: the task it served, the group of rollouts it belongs to
/// (GRPO compares a group's rollouts), the gold answer and whether the answer was correct.
/// </summary>
public sealed record TrajectoryOutcome(string? TaskId, bool Correct, string? Gold = null, string? GroupId = null);

/// <summary>One turn: what the policy saw and said, what ran, what came back, and what it cost.</summary>
public sealed record TrajectoryTurn(
    int Turn,
    IReadOnlyList<PromptMessage> Prompt,
    string RawOutput,
    string? Reasoning,
    ToolCallRecord? Call,
    IReadOnlyList<ToolCallRecord> IgnoredCalls,
    string? Observation,
    string? Error,
    IReadOnlyList<ExpertExchange> ExpertCalls,
    IReadOnlyList<LedgerEntry> Ledger);

public sealed record PromptMessage(string Role, string Content);

public sealed record ToolCallRecord(string Name, string ArgumentsJson, string? Alias = null, string? Model = null);

/// <summary>What an expert was asked and what it answered, for audit.</summary>
public sealed record ExpertExchange(string Alias, string Model, IReadOnlyList<PromptMessage> Prompt, string RawOutput);
