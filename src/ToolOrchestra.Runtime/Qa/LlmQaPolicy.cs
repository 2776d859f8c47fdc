using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// The orchestrator as an LLM behind an OpenAI-compatible endpoint: the rebuilt prompt goes out with the QA tools,
/// calls come back from <c>message.tool_calls</c> or hermes blocks (see <see cref="HermesToolCallChatClient"/>).
/// </summary>
public sealed class LlmQaPolicy(IChatClient client, OrchestratorSettings settings) : IQaPolicy
{
    public string Name => $"llm:{settings.Model}";

    public async Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct)
    {
        var messages = observation.Prompt
            .Select(m => new ChatMessage(m.Role == "system" ? ChatRole.System : ChatRole.User, m.Content))
            .ToList();
        var options = new LedgerScope(ledger, observation.Turn, CallKind.Orchestrator, "orchestrator", null).Apply(new ChatOptions
        {
            Tools = [.. observation.Toolset.Declarations],
            Temperature = (float)settings.Temperature,
            MaxOutputTokens = settings.MaxOutputTokens,
        });
        var response = await client.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var raw = response.AdditionalProperties?.TryGetValue(HermesToolCallChatClient.RawContentKey, out var r) == true ? r as string ?? "" : response.Text;
        var calls = contents.OfType<FunctionCallContent>().Select(c => c.Exception is null
                ? new PolicyCall(c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), OrchestraJsonContext.Default.IDictionaryStringObject))
                : new PolicyCall(c.Name, "{}", c.Exception.Message))
            .ToList();
        // Tool calls parsed by the server are not in the content; keep them in the raw output for the trajectory.
        if (calls.Count > 0 && !raw.Contains("<tool_call>", StringComparison.Ordinal))
            raw += string.Concat(calls.Select(c => $"\n<tool_call>\n{{\"name\": \"{c.Name}\", \"arguments\": {c.ArgumentsJson}}}\n</tool_call>"));
        var reasoning = string.Join("\n", contents.OfType<TextReasoningContent>().Select(t => t.Text));
        return new PolicyDecision(raw, reasoning.Length > 0 ? reasoning : null, response.Text, calls);
    }
}
