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

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>The agent side of a tau2 simulation: given the conversation so far, the next assistant message.</summary>
public interface ITau2Agent
{
    string Description { get; }
    Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, Ledger ledger, int step, long seed, CancellationToken ct);
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

    public string Description => $"plain agent ({modelId})";

    public async Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, Ledger ledger, int step, long seed, CancellationToken ct)
    {
        var options = new LedgerScope(ledger, step, CallKind.Orchestrator, "agent", null).Apply(decoding.Options([.. domainTools], seed));
        var response = await model.GetResponseAsync(Tau2ChatView.ForAgent(_system, trajectory), options, ct).ConfigureAwait(false);
        var message = Tau2ChatView.FromResponse(Tau2Roles.Assistant, response, $"call_{step}");
        return message.HasText || message.IsToolCall ? message : throw new Tau2SimulationException("the agent produced an empty message");
    }
}

/// <summary>
/// The orchestrator as tau2 agent (reference §2.3): domain tools minus <c>transfer_to_human_agents</c> plus
/// <c>call_expert(expert)</c>. When it calls an expert, the expert answers from the original prompt and the original
/// tools, and its message replaces the orchestrator's turn; <c>call_expert</c> itself never enters the history.
/// </summary>
public sealed partial class OrchestratorTau2Agent : ITau2Agent
{
    public const string CallExpert = "call_expert";
    public const int MaxToolCalls = 6;
    private readonly IChatClient _orchestrator;
    private readonly ModelClientFactory _experts;
    private readonly Catalog _catalog;
    private readonly string _orchestratorSystem, _expertSystem;
    private readonly IList<AITool> _orchestratorTools, _expertTools;
    private readonly IReadOnlyList<string> _expertAliases;
    private readonly Tau2Decoding _decoding;

    public OrchestratorTau2Agent(ModelClientFactory models, string policy, IReadOnlyList<AIFunctionDeclaration> domainTools, Preferences preferences, Tau2Decoding decoding)
    {
        _catalog = models.Catalog;
        _orchestrator = models.For(_catalog.Orchestrator.Model);
        _experts = models;
        _decoding = decoding;
        _expertAliases = _catalog.Aliases.Keys.Where(a => a.StartsWith("expert-", StringComparison.Ordinal) && preferences.Allows(a, _catalog, out _))
            .OrderBy(a => a, StringComparer.Ordinal).ToList();
        _orchestratorSystem = Tau2Prompts.OrchestratorSystemPrompt(policy);
        _expertSystem = Tau2Prompts.AgentSystemPrompt(policy);
        _expertTools = [.. domainTools];
        _orchestratorTools = [.. domainTools.Where(t => t.Name != "transfer_to_human_agents")];
        if (_expertAliases.Count > 0) _orchestratorTools.Add(CallExpertDeclaration());
    }

    public string Description => $"orchestrator ({_catalog.Orchestrator.Model}) with experts {string.Join(", ", _expertAliases)}";

    public async Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, Ledger ledger, int step, long seed, CancellationToken ct)
    {
        var options = new LedgerScope(ledger, step, CallKind.Orchestrator, "agent", null).Apply(_decoding.Options(_orchestratorTools, seed));
        options.Temperature = (float)_catalog.Orchestrator.Temperature;
        options.MaxOutputTokens = _catalog.Orchestrator.MaxOutputTokens;
        var response = await _orchestrator.GetResponseAsync(Tau2ChatView.ForAgent(_orchestratorSystem, trajectory), options, ct).ConfigureAwait(false);

        var expertCall = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault(c => c.Name == CallExpert);
        if (expertCall is not null)
        {
            var alias = expertCall.Arguments?.TryGetValue("expert", out var e) == true ? e?.ToString() : null;
            if (alias is null || !_expertAliases.Contains(alias))
                alias = _expertAliases[^1]; // an unknown or forbidden expert falls back to the last allowed one, never to a forbidden model
            var expertOptions = new LedgerScope(ledger, step, CallKind.Expert, CallExpert, alias).Apply(_decoding.Options(_expertTools, seed));
            var model = _catalog.ModelFor(alias);
            var expertResponse = await _experts.For(model.Id).GetResponseAsync(Tau2ChatView.ForAgent(_expertSystem, trajectory), expertOptions, ct).ConfigureAwait(false);
            return OrEmptyReply(Tau2ChatView.FromResponse(Tau2Roles.Assistant, expertResponse, $"call_{step}", MaxToolCalls));
        }

        var message = Tau2ChatView.FromResponse(Tau2Roles.Assistant, response, $"call_{step}", MaxToolCalls);
        if (message.Content is { } text && MessageBlock().Match(text) is { Success: true } m)
            message = message with { Content = m.Groups[1].Value.Trim() };
        return OrEmptyReply(message);
    }

    private static Tau2Message OrEmptyReply(Tau2Message m) =>
        m.HasText || m.IsToolCall ? m : Tau2Message.Assistant(Tau2Prompts.EmptyOrchestratorReply);

    private AIFunctionDeclaration CallExpertDeclaration()
    {
        var table = new StringBuilder("Choices: [").Append(string.Join(", ", _expertAliases.Select(a => $"'{a}'"))).Append("].");
        table.Append("\n| expert | price per million input tokens | price per million output tokens | average latency |\n|---|---|---|---|");
        foreach (var alias in _expertAliases)
        {
            var entry = _catalog.Aliases[alias];
            var price = _catalog.Models[entry.Model].Price;
            table.Append("\n| ").Append(alias).Append(" | $").Append(price.InputPerMillion.ToString("0.####", CultureInfo.InvariantCulture))
                .Append(" | $").Append(price.OutputPerMillion.ToString("0.####", CultureInfo.InvariantCulture))
                .Append(" | ").Append((entry.LatencySeconds ?? 0).ToString("0.#", CultureInfo.InvariantCulture)).Append("s |");
        }
        var schema = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = new Dictionary<string, object>
            {
                ["expert"] = new Dictionary<string, object> { ["type"] = "string", ["enum"] = _expertAliases, ["description"] = "The expert to transfer to. " + table },
            },
            ["required"] = new[] { "expert" },
        });
        return AIFunctionFactory.CreateDeclaration(CallExpert, "Transfer the conversation to an expert who will reply to the user or call tools in your place.", schema);
    }

    [GeneratedRegex("<message>(.*?)</message>", RegexOptions.Singleline)]
    private static partial Regex MessageBlock();
}

/// <summary>A model call in a simulation failed in a way upstream treats as an error of the whole simulation.</summary>
public sealed class Tau2SimulationException(string message, Exception? inner = null) : Exception(message, inner);
