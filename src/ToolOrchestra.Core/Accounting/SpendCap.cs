namespace ToolOrchestra.Core.Accounting;

/// <summary>
/// A hard cap on the real dollars of many episodes together (a training run's <c>--max-spend-usd</c>, its judge calls
/// included). Each episode draws on it through its own <see cref="Episode"/> account: every paid action's worst case is
/// granted before it runs, while spent + every open episode's grant stays within the cap, so concurrent episodes cannot
/// together overshoot it; <see cref="Episode.Settle"/> then replaces the episode's grant by what it really paid (calls
/// answered from a response cache pay nothing). A refusal is remembered in <see cref="Reached"/>.
/// </summary>
public sealed class SpendCap(decimal limitUsd, decimal alreadySpentUsd = 0)
{
    private readonly Lock _gate = new();
    private decimal _spent = alreadySpentUsd;
    private decimal _granted;
    private volatile bool _reached;

    public decimal LimitUsd => limitUsd;

    /// <summary>Real dollars settled so far (an earlier run's, when resumed, included).</summary>
    public decimal SpentUsd
    {
        get { lock (_gate) return _spent; }
    }

    /// <summary>Whether some action was refused because its worst case would have crossed the cap.</summary>
    public bool Reached => _reached;

    /// <summary>The worst case of the first action refused (what a cap must at least allow to make that call).</summary>
    public decimal? RefusedWorstCaseUsd { get; private set; }

    /// <summary>An account for one episode (or one judge call).</summary>
    public Episode Open() => new(this);

    public sealed class Episode : ISpendAccount
    {
        private readonly SpendCap _cap;
        private decimal _grant;

        internal Episode(SpendCap cap) => _cap = cap;

        public ValueTask CoverAsync(decimal committedUsd, decimal worstCaseUsd, CancellationToken ct)
        {
            lock (_cap._gate)
            {
                var more = committedUsd - _grant;
                if (more <= 0) return ValueTask.CompletedTask;
                var committed = _cap._spent + _cap._granted;
                if (committed + more > _cap.LimitUsd)
                {
                    _cap._reached = true;
                    _cap.RefusedWorstCaseUsd ??= worstCaseUsd;
                    throw new BudgetExhaustedException(committed, _cap.LimitUsd, worstCaseUsd, "spend cap (--max-spend-usd)");
                }
                _cap._granted += more;
                _grant = committedUsd;
            }
            return ValueTask.CompletedTask;
        }

        /// <summary>Ends the episode's draw: its grant is returned and <paramref name="paidUsd"/>, what it really paid, is spent.</summary>
        public void Settle(decimal paidUsd)
        {
            lock (_cap._gate)
            {
                _cap._granted -= _grant;
                _cap._spent += paidUsd;
                _grant = 0;
            }
        }
    }
}
