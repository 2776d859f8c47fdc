using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>What the model said when asked alone: the prompt, the raw reply and the answer read from it.</summary>
public sealed record DirectReply(IReadOnlyList<PromptMessage> Prompt, string Raw, string Answer);

/// <summary>
/// The <c>direct</c> setup: the model answers the question alone in one chat call, asked the way the protocol's
/// <c>answer</c> tool asks an expert with no gathered context (so its answer is read the same way: <c>\boxed{}</c> for
/// Qwen-family models, <c>&lt;answer&gt;</c> tags for the others). The call is booked in the ledger as turn 1 of tool
/// <c>answer</c>; with no orchestrator, its seconds are the setup's whole latency.
/// </summary>
public static class DirectAnswer
{
    public static async Task<DirectReply> AskAsync(IChatClient client, ModelEntry model, string question, QaProtocolVariant variant,
        Ledger ledger, TimeProvider? clock, CancellationToken ct)
    {
        var (system, user) = ExpertPrompts.Answer("", question, model.Family, variant);
        var prompt = new List<PromptMessage>();
        if (system is not null) prompt.Add(new("system", system));
        prompt.Add(new("user", user));
        var (temperature, maxTokens) = ExpertPrompts.Decoding(model);
        var options = new LedgerScope(ledger, 1, CallKind.Expert, "answer", null, clock)
            .Apply(new ChatOptions { Temperature = temperature, MaxOutputTokens = maxTokens });
        var response = await client.GetResponseAsync(
            prompt.Select(p => new ChatMessage(p.Role == "system" ? ChatRole.System : ChatRole.User, p.Content)).ToList(), options, ct).ConfigureAwait(false);
        var raw = response.AdditionalProperties?.TryGetValue(HermesToolCallChatClient.RawContentKey, out var r) == true ? r as string ?? "" : response.Text;
        var answer = ExpertPrompts.ExtractAnswer(raw, model.Family, variant) ?? ExpertPrompts.StripThinking(raw);
        return new DirectReply(prompt, raw, answer);
    }
}
