using System.Globalization;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Runtime.Episodes;

/// <summary>
/// When an episode must stop: turns, turns without a valid call, dollars, wall-clock seconds. <see cref="Account"/> is
/// money shared with other episodes (a server key's budgets) that every paid action must also fit in.
/// </summary>
internal sealed record EpisodeLimits(int MaxTurns = 50, int MaxErrors = 10, decimal? BudgetUsd = null, double? BudgetSeconds = null,
    ISpendAccount? Account = null)
{
    /// <summary>The catalog's <c>limits</c> block.</summary>
    public static EpisodeLimits From(Limits limits) => new(limits.MaxTurns, limits.MaxErrors, limits.BudgetUsd, limits.BudgetSeconds);

    /// <summary>Refuses limits that would silently never stop or never start, naming the option to fix.</summary>
    public EpisodeLimits Validate()
    {
        if (MaxTurns < 1) throw new UserError($"--max-turns must be at least 1, got {MaxTurns}.");
        if (MaxErrors < 1) throw new UserError($"--max-errors must be at least 1, got {MaxErrors}.");
        if (BudgetUsd is < 0) throw new UserError($"--budget-usd must be 0 or more, got {BudgetUsd.Value.ToString(CultureInfo.InvariantCulture)}.");
        if (BudgetSeconds is { } s && (!double.IsFinite(s) || s <= 0 || s > TimeSpan.MaxValue.TotalSeconds / 2))
            throw new UserError($"--budget-seconds must be a positive number of seconds, got {s.ToString(CultureInfo.InvariantCulture)}.");
        return this;
    }
}
