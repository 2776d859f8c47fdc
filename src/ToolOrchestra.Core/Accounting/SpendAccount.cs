using System.Globalization;

namespace ToolOrchestra.Core.Accounting;

/// <summary>
/// Money an episode draws on beyond its own budget, shared with other episodes: a server key's daily and total budgets.
/// Before each paid action the episode's <see cref="Ledger"/> asks the account to cover everything the episode has
/// committed (spent plus the worst case of what is in flight). An account grants atomically against every other holder,
/// across processes when it lives in a shared store, so concurrent episodes cannot together cross its limit.
/// </summary>
public interface ISpendAccount
{
    /// <summary>
    /// Makes sure this episode may have committed <paramref name="committedUsd"/> in all, of which
    /// <paramref name="worstCaseUsd"/> is the action asking now; throws <see cref="BudgetExhaustedException"/> when that
    /// would cross the account's limit.
    /// </summary>
    ValueTask CoverAsync(decimal committedUsd, decimal worstCaseUsd, CancellationToken ct);
}

/// <summary>A paid action was refused, before anything was sent or billed, because its worst case would cross a budget.</summary>
public sealed class BudgetExhaustedException : Exception
{
    public BudgetExhaustedException(decimal spentUsd, decimal budgetUsd, decimal worstCaseUsd = 0, string? budget = null, TimeSpan? retryAfter = null)
        : base(worstCaseUsd > 0
            ? $"spent ${Usd(spentUsd)} of the ${Usd(budgetUsd)} {budget ?? "budget"}; the next call's worst case (${Usd(worstCaseUsd)}) would cross it"
            : $"spent ${Usd(spentUsd)} of the ${Usd(budgetUsd)} {budget ?? "budget"}")
    {
        SpentUsd = spentUsd;
        BudgetUsd = budgetUsd;
        WorstCaseUsd = worstCaseUsd;
        RetryAfter = retryAfter;
    }

    public decimal SpentUsd { get; }
    public decimal BudgetUsd { get; }

    /// <summary>The refused action's worst case (0 when the budget was simply spent).</summary>
    public decimal WorstCaseUsd { get; }

    /// <summary>When a shared account may have room again (others' holds settle, a daily budget resets); null when never.</summary>
    public TimeSpan? RetryAfter { get; }

    private static string Usd(decimal d) => d.ToString("0.##########", CultureInfo.InvariantCulture);
}

/// <summary>
/// A paid action's worst case held against a ledger's budget while it runs. Dispose it once the action's entry is
/// recorded (or the action failed): the ledger's spend then stands in for the hold. <paramref name="paid"/> is false for a
/// call replayed from the response cache (<see cref="Ledger.HoldReplay"/>), which holds no real money.
/// </summary>
public sealed class SpendHold(Ledger? ledger, decimal amountUsd, bool paid = true) : IDisposable
{
    public static readonly SpendHold None = new(null, 0);
    private int _released;

    public decimal AmountUsd => amountUsd;

    /// <summary>Whether the hold is real money (false: a replayed call's stored dollars, held against the episode's budget only).</summary>
    public bool IsPaid => paid;

    public void Dispose()
    {
        if (ledger is not null && Interlocked.Exchange(ref _released, 1) == 0) ledger.Release(amountUsd, paid);
    }
}
