using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ToolOrchestra.Models;

/// <summary>A call was refused because its episode's dollar budget is already spent.</summary>
public sealed class BudgetExhaustedException(decimal spentUsd, decimal budgetUsd) : Exception(
    $"spent ${spentUsd.ToString(CultureInfo.InvariantCulture)} of the ${budgetUsd.ToString(CultureInfo.InvariantCulture)} budget")
{
    public decimal SpentUsd => spentUsd;
    public decimal BudgetUsd => budgetUsd;
}

/// <summary>
/// Decorator that refuses a model call, before anything is sent or billed, when the call's <see cref="LedgerScope"/>
/// has a dollar budget its ledger has already spent. The engine also checks before each step; this catches the second
/// paid call inside one step (a search's query, then its retrieval; an expert after the orchestrator).
/// </summary>
public sealed class BudgetChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Check(options);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Check(options);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            yield return update;
    }

    private static void Check(ChatOptions? options)
    {
        if (LedgerScope.From(options) is { BudgetUsd: { } budget } scope && scope.Ledger.CostUsd >= budget)
            throw new BudgetExhaustedException(scope.Ledger.CostUsd, budget);
    }
}
