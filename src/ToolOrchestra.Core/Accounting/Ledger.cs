namespace ToolOrchestra.Core.Accounting;

/// <summary>
/// Every call's tokens, dollars and seconds for one trajectory. Thread-safe: experts and tools may record
/// from parallel tasks. Totals are derived, never stored, so they cannot drift from the entries.
/// <paramref name="recorded"/> hears every entry as it is recorded (progress events, telemetry).
/// <para>
/// The ledger also keeps its episode inside <paramref name="budgetUsd"/> and <paramref name="account"/>: every paid action
/// first holds its worst case (<see cref="HoldAsync"/>) and is refused when spent + held + that worst case would cross a
/// limit; the hold is released once the action is recorded. So spend never exceeds the budget, parallel actions and
/// episodes sharing an account included, as long as no call bills more than its worst case.
/// </para>
/// <para>
/// Two sums of dollars: <see cref="CostUsd"/>, every entry, what the reward and the episode's own budget see; and
/// <see cref="PaidUsd"/>, real money, without the entries replayed from the response cache (<see cref="LedgerEntry.Cached"/>).
/// A shared account is asked to cover real money only: a replayed call (<see cref="HoldReplay"/>) never reaches it.
/// </para>
/// </summary>
public sealed class Ledger(Action<LedgerEntry>? recorded = null, decimal? budgetUsd = null, ISpendAccount? account = null)
{
    private readonly List<LedgerEntry> _entries = [];
    private readonly Lock _gate = new();
    private decimal _held;     // every hold: paid calls' worst cases and replayed calls' stored dollars
    private decimal _heldPaid; // the paid calls' part of it

    /// <summary>The episode's own dollar budget; null when unlimited.</summary>
    public decimal? BudgetUsd => budgetUsd;

    /// <summary>Whether any limit (a budget or a shared account) bounds this episode's spend.</summary>
    public bool IsBounded => budgetUsd is not null || account is not null;

    /// <summary>What may still be committed within the episode's own budget (budget − spent − held); null when unlimited.</summary>
    public decimal? AvailableUsd
    {
        get { lock (_gate) return budgetUsd is { } b ? Math.Max(0, b - Sum() - _held) : null; }
    }

    /// <summary>
    /// Holds <paramref name="worstCaseUsd"/> for a paid action about to run, or throws <see cref="BudgetExhaustedException"/>
    /// (nothing held) when it would cross the budget or the account refuses it. A free action holds nothing.
    /// </summary>
    public async ValueTask<SpendHold> HoldAsync(decimal worstCaseUsd, CancellationToken ct = default)
    {
        if (worstCaseUsd <= 0 || !IsBounded) return SpendHold.None;
        decimal committed;
        lock (_gate)
        {
            var spent = Sum();
            if (budgetUsd is { } b && spent + _held + worstCaseUsd > b) throw new BudgetExhaustedException(spent, b, worstCaseUsd);
            _held += worstCaseUsd;
            _heldPaid += worstCaseUsd;
            committed = SumPaid() + _heldPaid;
        }
        var hold = new SpendHold(this, worstCaseUsd, paid: true);
        if (account is null) return hold;
        try
        {
            await account.CoverAsync(committed, worstCaseUsd, ct).ConfigureAwait(false);
            return hold;
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Holds a call replayed from the response cache at its stored dollars against the episode's own budget, or throws
    /// <see cref="BudgetExhaustedException"/>, so the episode stops where it would have stopped when the call was paid. It is
    /// no real money: the shared account is not asked and <see cref="PaidUsd"/> does not move.
    /// </summary>
    public SpendHold HoldReplay(decimal storedUsd)
    {
        if (storedUsd <= 0 || budgetUsd is not { } b) return SpendHold.None;
        lock (_gate)
        {
            var spent = Sum();
            if (spent + _held + storedUsd > b) throw new BudgetExhaustedException(spent, b, storedUsd);
            _held += storedUsd;
        }
        return new SpendHold(this, storedUsd, paid: false);
    }

    internal void Release(decimal amountUsd, bool paid)
    {
        lock (_gate)
        {
            _held -= amountUsd;
            if (paid) _heldPaid -= amountUsd;
        }
    }

    public void Record(LedgerEntry entry)
    {
        lock (_gate) _entries.Add(entry);
        recorded?.Invoke(entry);
    }

    public IReadOnlyList<LedgerEntry> Entries
    {
        get { lock (_gate) return _entries.ToArray(); }
    }

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>The entries recorded from position <paramref name="start"/> on (e.g. one turn's).</summary>
    public IReadOnlyList<LedgerEntry> EntriesSince(int start)
    {
        lock (_gate) return start >= _entries.Count ? [] : _entries.GetRange(start, _entries.Count - start).ToArray();
    }

    public decimal CostUsd
    {
        get { lock (_gate) return Sum(); }
    }

    /// <summary>Real money spent: <see cref="CostUsd"/> without the calls replayed from the response cache.</summary>
    public decimal PaidUsd
    {
        get { lock (_gate) return SumPaid(); }
    }

    private decimal Sum()
    {
        var sum = 0m;
        foreach (var e in _entries) sum += e.CostUsd;
        return sum;
    }

    private decimal SumPaid()
    {
        var sum = 0m;
        foreach (var e in _entries)
            if (!e.Cached) sum += e.CostUsd;
        return sum;
    }

    /// <summary>The paper's latency (<see cref="PaperLatency"/>) of every call so far.</summary>
    public double ToolLatencySeconds
    {
        get { lock (_gate) { var sum = 0.0; foreach (var e in _entries) sum += e.ToolSeconds; return sum; } }
    }

    public long InputTokens
    {
        get { lock (_gate) { long sum = 0; foreach (var e in _entries) sum += e.InputTokens; return sum; } }
    }

    public long OutputTokens
    {
        get { lock (_gate) { long sum = 0; foreach (var e in _entries) sum += e.OutputTokens; return sum; } }
    }

    /// <summary>Calls per alias, counting each turn's first call only (reference §5.2 feature m_a).</summary>
    public IReadOnlyDictionary<string, int> FirstCallsPerAlias()
    {
        lock (_gate)
            return _entries.Where(e => e.Kind != CallKind.Orchestrator && e.Alias is not null)
                .GroupBy(e => e.Turn).Select(g => g.First().Alias!)
                .GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
    }
}
