using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.FunctionCalling;

namespace ToolOrchestra.Runtime;

/// <summary>
/// The engine's front door, resolved from <c>services.AddToolOrchestra(…)</c>: the request chooses the episode kind. A
/// QA episode (<see cref="RunAsync"/>, under the request's protocol variant) runs the orchestrator on a problem to its
/// answer; a function-calling episode (<see cref="StartConversation"/>, e.g. a tau2 simulation) answers an environment
/// turn by turn with the environment's tools plus <c>call_expert</c>. Both run on one episode core (limits, budgets,
/// hard constraints, ledger, run store) over the same model clients. Never throws for what an endpoint or a tool does:
/// the result's stop reason says how the run ended (<c>answered</c>, <c>endpoint_error</c>, …) and the trajectory is
/// stored either way. Bad requests (an empty problem, negative limits) are <see cref="Core.UserError"/>s.
/// </summary>
public interface IOrchestrator
{
    /// <summary>The catalog the engine runs on (models, aliases, prices, limits).</summary>
    Catalog Catalog { get; }

    /// <summary>Runs one episode to its end.</summary>
    Task<OrchestrationResult> RunAsync(OrchestrationRequest request, CancellationToken ct = default);

    /// <summary>Runs one episode, yielding what happens as it happens; the last event is <see cref="RunFinished"/>.</summary>
    IAsyncEnumerable<OrchestrationEvent> RunEventsAsync(OrchestrationRequest request, CancellationToken ct = default);

    /// <summary>
    /// Opens one function-calling episode: the caller (the environment) supplies each turn's conversation and gets the
    /// orchestrator's reply, or an expert's when it calls one, then ends the episode with its own reason.
    /// </summary>
    FunctionCallingEpisode StartConversation(FunctionCallingRequest request);
}
