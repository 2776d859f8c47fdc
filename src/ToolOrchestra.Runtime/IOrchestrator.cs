using ToolOrchestra.Runtime.Episodes;

namespace ToolOrchestra.Runtime;

/// <summary>
/// The engine's front door: runs the orchestrator on a problem under the user's preferences. Never throws for what an
/// endpoint or a tool does: the result's stop reason says how the run ended (<c>answered</c>, <c>endpoint_error</c>, …)
/// and the trajectory is stored either way. Bad requests (an empty problem, negative limits) are <see cref="Core.UserError"/>s.
/// </summary>
public interface IOrchestrator
{
    /// <summary>Runs one episode to its end.</summary>
    Task<OrchestrationResult> RunAsync(OrchestrationRequest request, CancellationToken ct = default);

    /// <summary>Runs one episode, yielding what happens as it happens; the last event is <see cref="RunFinished"/>.</summary>
    IAsyncEnumerable<OrchestrationEvent> RunEventsAsync(OrchestrationRequest request, CancellationToken ct = default);
}
