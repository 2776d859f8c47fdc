using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Runtime.Episodes;

/// <summary>
/// What happens in an episode, as it happens: progress bars, servers streaming progress and logs read these.
/// Every event names its run and turn.
/// </summary>
public abstract record OrchestrationEvent(string RunId, int Turn);

/// <summary>A turn began: the policy is about to decide.</summary>
public sealed record TurnStarted(string RunId, int Turn) : OrchestrationEvent(RunId, Turn);

/// <summary>A paid call finished and was booked: alias, tokens, dollars and seconds are in <see cref="Entry"/>.</summary>
public sealed record CallMade(string RunId, int Turn, LedgerEntry Entry) : OrchestrationEvent(RunId, Turn);

/// <summary>A tool call (or a rejected call) produced the observation the orchestrator reads next.</summary>
public sealed record ToolObserved(string RunId, int Turn, string Tool, string? Alias, string Observation, bool IsError) : OrchestrationEvent(RunId, Turn);

/// <summary>The episode has its final answer.</summary>
public sealed record Answered(string RunId, int Turn, string Answer) : OrchestrationEvent(RunId, Turn);

/// <summary>The episode ended; the result is complete and the trajectory stored.</summary>
public sealed record RunFinished(string RunId, int Turn, OrchestrationResult Result) : OrchestrationEvent(RunId, Turn);
