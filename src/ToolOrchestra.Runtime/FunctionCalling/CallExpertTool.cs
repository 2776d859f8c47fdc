using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Models;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.FunctionCalling;

/// <summary>
/// What <c>call_expert</c> hands to the expert: the conversation as the plain agent would see it (the original system
/// prompt), the original tools, the decoding; the expert's reply comes back here and replaces the orchestrator's turn.
/// </summary>
internal sealed class ExpertHandoff(IReadOnlyList<ChatMessage> conversation, IList<AITool> tools, ChatOptions decoding)
{
    public IReadOnlyList<ChatMessage> Conversation => conversation;
    public IList<AITool> Tools => tools;
    public ChatOptions Decoding => decoding;
    public ChatResponse? Reply { get; set; }
}

/// <summary>
/// <c>call_expert(expert)</c> of the function-calling protocol (reference §2.3): transfers the turn to an <c>expert-*</c>
/// alias, which answers the user or calls domain tools in the orchestrator's place. The call itself never enters the
/// conversation.
/// </summary>
internal sealed class CallExpertTool : IOrchestratorTool
{
    public const string ToolName = "call_expert";
    public string Name => ToolName;
    public string? AliasArgument => "expert";
    public bool Serves(string alias) => alias.StartsWith("expert-", StringComparison.Ordinal);

    public AIFunctionDeclaration? Declare(ToolOffer offer)
    {
        if (offer.Aliases.Count == 0) return null;
        var aliases = offer.Aliases.Select(a => a.Alias).ToList();
        var table = new StringBuilder("Choices: [").Append(string.Join(", ", aliases.Select(a => $"'{a}'"))).Append("].");
        table.Append("\n| expert | price per million input tokens | price per million output tokens | average latency |\n|---|---|---|---|");
        foreach (var entry in offer.Aliases)
        {
            var price = offer.Catalog.Models[entry.Model].Price;
            table.Append("\n| ").Append(entry.Alias).Append(" | $").Append(price.InputPerMillion.ToString("0.####", CultureInfo.InvariantCulture))
                .Append(" | $").Append(price.OutputPerMillion.ToString("0.####", CultureInfo.InvariantCulture))
                .Append(" | ").Append((entry.LatencySeconds ?? 0).ToString("0.#", CultureInfo.InvariantCulture)).Append("s |");
        }
        var schema = JsonSerializer.SerializeToElement(new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["expert"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. aliases.Select(a => (JsonNode)a)]), ["description"] = "The expert to transfer to. " + table },
            },
            ["required"] = new JsonArray("expert"),
        }, OrchestraJsonContext.Default.JsonNode);
        return AIFunctionFactory.CreateDeclaration(ToolName, "Transfer the conversation to an expert who will reply to the user or call tools in your place.", schema);
    }

    public async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        var handoff = invocation.Context.Feature<ExpertHandoff>();
        var model = invocation.Context.Catalog.ModelFor(invocation.Alias!);
        var options = handoff.Decoding.Clone();
        options.Tools = handoff.Tools;
        new LedgerScope(invocation.Context.Ledger, invocation.Context.Turn, CallKind.Expert, ToolName, invocation.Alias, invocation.Context.Clock).Apply(options);
        handoff.Reply = await invocation.Context.Feature<ModelClientFactory>().For(model.Id)
            .GetResponseAsync(handoff.Conversation, options, ct).ConfigureAwait(false);
        return new ToolOutput($"{invocation.Alias} replied in the orchestrator's place.");
    }
}
