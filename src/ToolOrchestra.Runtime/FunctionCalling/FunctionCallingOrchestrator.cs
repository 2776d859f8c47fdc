using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.FunctionCalling;

/// <summary>
/// The prompts and tools of a function-calling environment (a tau2 domain): the orchestrator's system prompt, the
/// plain agent's (which experts see), the domain tools, which of them the orchestrator is not offered, and the decoding.
/// </summary>
public sealed record FunctionCallingSetup(
    string OrchestratorSystem,
    string ExpertSystem,
    IReadOnlyList<AIFunctionDeclaration> DomainTools,
    IReadOnlySet<string> WithheldFromOrchestrator,
    ChatOptions Decoding)
{
    /// <summary>The tool through which the orchestrator hands a turn to an expert (reference §2.3).</summary>
    public const string CallExpert = CallExpertTool.ToolName;

    /// <summary>The experts (<c>expert-*</c> aliases) <c>call_expert</c> offers under these preferences, hard constraints applied.</summary>
    public static IReadOnlyList<string> ExpertsFor(Catalog catalog, Preferences preferences) =>
        EpisodeCore.Offer(new CallExpertTool(), catalog, preferences).Aliases.Select(a => a.Alias).ToList();
}

/// <summary>
/// The function-calling protocol (reference §2.3) over the <see cref="EpisodeCore"/>: the orchestrator sees the domain
/// tools (less those withheld, e.g. <c>transfer_to_human_agents</c>) plus <see cref="CallExpertTool"/>; when it calls an
/// expert, the expert answers from the original prompt and tools and its reply takes the orchestrator's turn. The
/// environment (user simulator, domain tools) drives the conversation; each <see cref="FunctionCallingEpisode.RespondAsync"/>
/// is one turn of the episode.
/// </summary>
internal sealed class FunctionCallingOrchestrator(ModelClientFactory models, FunctionCallingSetup setup, string? policyName = null)
{
    private readonly CallExpertTool _callExpert = new();

    public Catalog Catalog => models.Catalog;

    public string PolicyName => policyName ?? $"orchestrator ({models.Catalog.Orchestrator.Model})";

    /// <summary>Starts one episode (e.g. one tau2 simulation); call on the environment's own async flow, it opens the span.</summary>
    public FunctionCallingEpisode Begin(string? id, string problem, Preferences preferences, EpisodeLimits? limits = null, EpisodeSinks? sinks = null, TimeProvider? clock = null)
    {
        var core = new EpisodeCore(id, "function_calling", problem, preferences, limits ?? new EpisodeLimits(int.MaxValue, int.MaxValue), models.Catalog, PolicyName, clock, sinks);
        var offer = EpisodeCore.Offer(_callExpert, models.Catalog, preferences);
        IList<AITool> tools = [.. setup.DomainTools.Where(t => !setup.WithheldFromOrchestrator.Contains(t.Name))];
        if (_callExpert.Declare(offer) is { } declaration) tools.Add(declaration);
        return new FunctionCallingEpisode(core, models, setup, tools, offer.Aliases.Select(a => a.Alias).ToList(), _callExpert);
    }
}

/// <summary>
/// One function-calling episode (<see cref="IOrchestrator.StartConversation"/>): turns on demand, the ledger, and its
/// end. Drive it from one async flow: each <see cref="RespondAsync"/> is one turn, <see cref="CompleteAsync"/> ends it.
/// </summary>
public sealed class FunctionCallingEpisode
{
    private readonly ModelClientFactory _models;
    private readonly FunctionCallingSetup _setup;
    private readonly IList<AITool> _tools;
    private readonly IReadOnlyList<string> _experts;
    private readonly CallExpertTool _callExpert;

    internal FunctionCallingEpisode(EpisodeCore core, ModelClientFactory models, FunctionCallingSetup setup, IList<AITool> tools, IReadOnlyList<string> experts, CallExpertTool callExpert)
    {
        Core = core;
        _models = models;
        _setup = setup;
        _tools = tools;
        _experts = experts;
        _callExpert = callExpert;
    }

    internal EpisodeCore Core { get; }

    /// <summary>The run id (names the stored trajectory).</summary>
    public string Id => Core.Id;

    /// <summary>Every paid call of the episode so far: tokens, dollars, seconds.</summary>
    public Ledger Ledger => Core.Ledger;

    /// <summary>What the orchestrator is offered: the environment's tools (less those withheld) and <c>call_expert</c>.</summary>
    public IReadOnlyList<AITool> OrchestratorTools => [.. _tools];

    /// <summary>The experts <c>call_expert</c> may name in this episode.</summary>
    public IReadOnlyList<string> Experts => _experts;
    private bool _begun;

    /// <summary>
    /// One agent turn: the orchestrator's reply to <paramref name="conversation"/> (without a system message), or the
    /// expert's when it calls one. Null when the episode has stopped (a budget is spent). An orchestrator endpoint that
    /// fails after its retries stops the episode with <c>endpoint_error</c> and is rethrown for the environment to record.
    /// </summary>
    public async Task<ChatResponse?> RespondAsync(IReadOnlyList<ChatMessage> conversation, long seed, CancellationToken ct)
    {
        if (!_begun) { await Core.BeginAsync(ct).ConfigureAwait(false); _begun = true; }
        if (!Core.NextTurn()) return null;
        var turn = Core.Turn;
        var entriesBefore = Core.Ledger.Count;
        var decoding = _setup.Decoding.Clone();
        decoding.Seed = seed;
        string raw = "", observation = "";
        ToolCallRecord? call = null;
        string? error = null;
        try
        {
            var options = decoding.Clone();
            options.Tools = _tools;
            options.Temperature = (float)Core.Catalog.Orchestrator.Temperature;
            options.MaxOutputTokens = Core.Catalog.Orchestrator.MaxOutputTokens;
            new LedgerScope(Core.Ledger, turn, CallKind.Orchestrator, "agent", null, Core.Clock).Apply(options);
            var response = await _models.For(Core.Catalog.Orchestrator.Model)
                .GetResponseAsync([new ChatMessage(ChatRole.System, _setup.OrchestratorSystem), .. conversation], options, ct).ConfigureAwait(false);
            raw = response.Text;
            var expertCall = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault(c => c.Name == CallExpertTool.ToolName);
            if (expertCall is null || _experts.Count == 0)
            {
                observation = "replied";
                return response;
            }
            // An unknown or forbidden expert falls back to the last one offered, never to a forbidden model.
            var asked = expertCall.Arguments?.TryGetValue("expert", out var e) == true ? e?.ToString() : null;
            var alias = asked is not null && _experts.Contains(asked) ? asked : _experts[^1];
            if (alias != asked) error = $"expert '{asked}' is not offered; {alias} was called instead";
            var handoff = new ExpertHandoff([new ChatMessage(ChatRole.System, _setup.ExpertSystem), .. conversation], [.. _setup.DomainTools], decoding);
            var arguments = JsonSerializer.SerializeToElement(new JsonObject { ["expert"] = alias }, OrchestraJsonContext.Default.JsonNode);
            call = new ToolCallRecord(CallExpertTool.ToolName, arguments.GetRawText(), alias, Core.Catalog.ModelFor(alias).Id);
            var output = await Core.InvokeAsync(_callExpert, arguments, alias, [handoff, _models], ct).ConfigureAwait(false);
            observation = output.Observation;
            if (output.IsError) error = output.Observation;
            return handoff.Reply ?? new ChatResponse(new ChatMessage(ChatRole.Assistant, ""));
        }
        catch (BudgetExhaustedException e)
        {
            error = e.Message;
            Core.Finish(StopReason.BudgetUsd, e.Message);
            return null;
        }
        catch (EndpointException e)
        {
            error = e.Message;
            Core.Finish(StopReason.EndpointError, e.Message);
            throw;
        }
        finally
        {
            await Core.EndTurnAsync(new TrajectoryTurn(turn, [], raw, null, call, [], observation, error, [], Core.Ledger.EntriesSince(entriesBefore)),
                CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the episode with the environment's reason (e.g. tau2's termination reason) unless one is set.</summary>
    public Task<OrchestrationResult> CompleteAsync(StopReason reason, string? detail)
    {
        Core.Finish(reason, detail);
        return Core.CompleteAsync();
    }
}
