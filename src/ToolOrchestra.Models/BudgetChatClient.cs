using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Models;

/// <summary>
/// Decorator that keeps a model call inside its episode's budget: before anything is sent it holds the call's worst case
/// on the scope's ledger (<see cref="Ledger.HoldAsync"/>), which refuses the call when spent + held + that worst case would
/// cross the episode's budget or its shared account (a server key's). The hold is released once the call is billed.
/// <para>
/// The worst case, at the catalog's prices: input, one token per UTF-8 byte sent (byte-level BPE never does worse) plus
/// the chat template's markers (<see cref="TemplateTokensPerMessage"/> a message, <see cref="TemplateTokens"/> in all);
/// output, the call's <c>max_tokens</c>. A bounded call sent without one gets the catalog's <c>max_output_tokens</c>
/// (else <see cref="DefaultMaxOutputTokens"/>), so its bound is real. Another orchestrator (<c>"api": "orchestra"</c> or a
/// <c>profile</c>) is given what is left of the episode's budget as its own (<see cref="OrchestrationChain.BudgetUsd"/>)
/// and that is its worst case.
/// </para>
/// </summary>
public sealed class BudgetChatClient(IChatClient inner, ModelEntry model) : DelegatingChatClient(inner)
{
    public const int TemplateTokensPerMessage = 16;
    public const int TemplateTokens = 256;
    public const int DefaultMaxOutputTokens = 8000;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (bounded, worstCase, inner) = Plan(list, options);
        using var hold = LedgerScope.From(options) is { } scope ? await scope.Ledger.HoldAsync(worstCase, cancellationToken).ConfigureAwait(false) : SpendHold.None;
        if (inner is { } budget) OrchestrationChain.BudgetUsd = budget; // async-local: flows to this call only
        return await base.GetResponseAsync(list, bounded, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var (bounded, worstCase, inner) = Plan(list, options);
        using var hold = LedgerScope.From(options) is { } scope ? await scope.Ledger.HoldAsync(worstCase, cancellationToken).ConfigureAwait(false) : SpendHold.None;
        if (inner is { } budget) OrchestrationChain.BudgetUsd = budget;
        await foreach (var update in base.GetStreamingResponseAsync(list, bounded, cancellationToken).ConfigureAwait(false))
            yield return update;
    }

    /// <summary>The options to send (with <c>max_tokens</c> where a bounded call had none), the worst case, and a nested orchestrator's budget.</summary>
    private (ChatOptions? Options, decimal WorstCase, decimal? InnerBudget) Plan(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        if (LedgerScope.From(options) is not { Ledger.IsBounded: true } scope) return (options, 0, null);
        if (model.Api == ModelApi.Orchestra || model.IsInProcessOrchestrator)
            return scope.Ledger.AvailableUsd is { } left ? (options, left, left) : (options, 0, null);
        var bounded = options!;
        if (bounded.MaxOutputTokens is null)
        {
            bounded = bounded.Clone();
            bounded.MaxOutputTokens = model.MaxOutputTokens ?? DefaultMaxOutputTokens;
        }
        return (bounded, model.Price.CostOf(InputTokensAtMost(messages, bounded), bounded.MaxOutputTokens!.Value), null);
    }

    /// <summary>An upper bound on the input tokens any byte-level tokenizer bills for this request.</summary>
    public static long InputTokensAtMost(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        long n = TemplateTokens;
        foreach (var m in messages)
        {
            n += TemplateTokensPerMessage;
            foreach (var c in m.Contents)
                n += c switch
                {
                    TextContent t => Encoding.UTF8.GetByteCount(t.Text),
                    TextReasoningContent r => Encoding.UTF8.GetByteCount(r.Text),
                    FunctionCallContent f => Encoding.UTF8.GetByteCount(f.Name) + (f.Arguments is null ? 4 : JsonSerializer.SerializeToUtf8Bytes(f.Arguments, OrchestraJsonContext.Default.IDictionaryStringObject).Length),
                    FunctionResultContent f => Encoding.UTF8.GetByteCount(f.Result?.ToString() ?? ""),
                    DataContent d => d.Data.Length,
                    _ => 0,
                };
        }
        foreach (var t in options?.Tools ?? [])
            if (t is AIFunctionDeclaration f)
                n += Encoding.UTF8.GetByteCount(f.Name) + Encoding.UTF8.GetByteCount(f.Description) + Encoding.UTF8.GetByteCount(f.JsonSchema.GetRawText());
        return n;
    }
}
