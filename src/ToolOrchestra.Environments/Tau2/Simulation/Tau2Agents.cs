using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Models;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.FunctionCalling;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>The agent side of a tau2 simulation; <see cref="Start"/> opens one simulation's run.</summary>
public interface ITau2Agent
{
    string Description { get; }
    ITau2AgentRun Start(Tau2Task task, string simulationId);
}

/// <summary>The agent within one simulation: given the conversation so far, the next assistant message; its ledger.</summary>
public interface ITau2AgentRun
{
    Ledger Ledger { get; }
    Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, int step, long seed, CancellationToken ct);

    /// <summary>Called once when the simulation ends, with tau2's termination reason.</summary>
    Task FinishAsync(string termination);
}

/// <summary>Decoding shared by the simulation's model calls; each call also carries its trial's seed, as upstream.</summary>
public sealed record Tau2Decoding(float Temperature = 0f, int MaxOutputTokens = 8000)
{
    public ChatOptions Options(IList<AITool>? tools, long seed) => new()
    {
        Temperature = Temperature,
        Seed = seed,
        MaxOutputTokens = MaxOutputTokens,
        Tools = tools,
    };
}

/// <summary>Upstream's LLM agent: any model, upstream's prompt, every domain tool (baselines).</summary>
public sealed class PlainTau2Agent(IChatClient model, string modelId, string policy, IReadOnlyList<AIFunctionDeclaration> domainTools, Tau2Decoding decoding) : ITau2Agent
{
    private readonly string _system = Tau2Prompts.AgentSystemPrompt(policy);
    private readonly IChatClient _model = model;
    private readonly IReadOnlyList<AIFunctionDeclaration> _tools = domainTools;
    private readonly Tau2Decoding _decoding = decoding;

    public string Description => $"plain agent ({modelId})";

    public ITau2AgentRun Start(Tau2Task task, string simulationId) => new Run(this);

    private sealed class Run(PlainTau2Agent agent) : ITau2AgentRun
    {
        public Ledger Ledger { get; } = new();

        public async Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, int step, long seed, CancellationToken ct)
        {
            var options = new LedgerScope(Ledger, step, CallKind.Orchestrator, "agent", null).Apply(agent._decoding.Options([.. agent._tools], seed));
            var response = await agent._model.GetResponseAsync(Tau2ChatView.ForAgent(agent._system, trajectory), options, ct).ConfigureAwait(false);
            var message = Tau2ChatView.FromResponse(Tau2Roles.Assistant, response, $"call_{step}");
            return message.HasText || message.IsToolCall ? message : throw new Tau2SimulationException("the agent produced an empty message");
        }

        public Task FinishAsync(string termination) => Task.CompletedTask;
    }
}

/// <summary>
/// The orchestrator as tau2 agent (reference §2.3): a function-calling episode of the engine
/// (<see cref="IOrchestrator.StartConversation"/>) with the domain's tools minus <c>transfer_to_human_agents</c> plus
/// <c>call_expert(expert)</c>; each simulation is one episode. This class only translates tau2 messages.
/// </summary>
public sealed partial class OrchestratorTau2Agent : ITau2Agent
{
    public const string CallExpert = FunctionCallingSetup.CallExpert;
    public const int MaxToolCalls = 6;
    private readonly IOrchestrator _engine;
    private readonly FunctionCallingSetup _setup;
    private readonly Preferences _preferences;

    /// <param name="engine">The engine from <c>AddToolOrchestra</c> over the catalog whose experts the orchestrator may call.</param>
    public OrchestratorTau2Agent(IOrchestrator engine, string policy, IReadOnlyList<AIFunctionDeclaration> domainTools, Preferences preferences, Tau2Decoding decoding)
    {
        _engine = engine;
        _preferences = preferences;
        _setup = new FunctionCallingSetup(
            Tau2Prompts.OrchestratorSystemPrompt(policy), Tau2Prompts.AgentSystemPrompt(policy), domainTools,
            new HashSet<string>(StringComparer.Ordinal) { "transfer_to_human_agents" }, decoding.Options(null, 0));
    }

    public string Description =>
        $"orchestrator ({_engine.Catalog.Orchestrator.Model}) with experts {string.Join(", ", FunctionCallingSetup.ExpertsFor(_engine.Catalog, _preferences))}";

    public ITau2AgentRun Start(Tau2Task task, string simulationId) =>
        new Run(_engine.StartConversation(new FunctionCallingRequest(_setup, $"tau2 task {task.Id}") { Id = simulationId, Preferences = _preferences }));

    private sealed class Run(FunctionCallingEpisode episode) : ITau2AgentRun
    {
        public Ledger Ledger => episode.Ledger;

        public async Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, int step, long seed, CancellationToken ct)
        {
            // The view without its system message: the loop puts the orchestrator's or the expert's in front.
            var conversation = Tau2ChatView.ForAgent("", trajectory).Skip(1).ToList();
            var response = await episode.RespondAsync(conversation, seed, ct).ConfigureAwait(false);
            if (response is null) return Tau2Message.Assistant(Tau2Prompts.EmptyOrchestratorReply);
            var message = Tau2ChatView.FromResponse(Tau2Roles.Assistant, response, $"call_{step}", MaxToolCalls);
            if (message.Content is { } text && MessageBlock().Match(text) is { Success: true } m)
                message = message with { Content = m.Groups[1].Value.Trim() };
            return message.HasText || message.IsToolCall ? message : Tau2Message.Assistant(Tau2Prompts.EmptyOrchestratorReply);
        }

        public Task FinishAsync(string termination) => episode.CompleteAsync(
            termination == TerminationReasons.InfrastructureError ? StopReason.EndpointError : StopReason.Answered, $"tau2 termination: {termination}");
    }

    [GeneratedRegex("<message>(.*?)</message>", RegexOptions.Singleline)]
    private static partial Regex MessageBlock();
}

/// <summary>A model call in a simulation failed in a way upstream treats as an error of the whole simulation.</summary>
public sealed class Tau2SimulationException(string message, Exception? inner = null) : Exception(message, inner);
