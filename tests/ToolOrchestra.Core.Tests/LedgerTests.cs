using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Core.Tests;

public sealed class LedgerTests
{
    [Fact]
    public void Totals_are_exact_and_tool_latency_leaves_out_the_orchestrator()
    {
        var ledger = new Ledger();
        ledger.Record(new LedgerEntry(1, CallKind.Orchestrator, "orchestrator", null, "orch", 1000, 100, 0.00022m, 2.0));
        ledger.Record(new LedgerEntry(1, CallKind.Expert, "search", "search-1", "gpt-5", 3000, 30, 0.00405m, 5.0));
        ledger.Record(new LedgerEntry(1, CallKind.Search, "search", "search-1", "local", 0, 0, 0m, 0.5));
        ledger.Record(new LedgerEntry(2, CallKind.Expert, "answer", "answer-2", "gpt-5-mini", 10, 10, 0.0000225m, 1.0));
        ledger.CostUsd.Should().Be(0.0042925m);
        ledger.ToolLatencySeconds.Should().Be(6.5);
        ledger.FirstCallsPerAlias().Should().BeEquivalentTo(new Dictionary<string, int> { ["search-1"] = 1, ["answer-2"] = 1 });
    }

    [Fact]
    public async Task Parallel_holds_never_commit_past_the_budget_and_a_released_hold_makes_room_again()
    {
        var ledger = new Ledger(budgetUsd: 1m);
        var holds = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            try { return await ledger.HoldAsync(0.3m); }
            catch (BudgetExhaustedException) { return null; }
        }));
        holds.Count(h => h is not null).Should().Be(3, "three worst cases of $0.30 fit in $1, a fourth would cross it");
        ledger.AvailableUsd.Should().Be(0.1m);

        // A held call bills less than its worst case: the rest comes back when its hold is released.
        ledger.Record(new LedgerEntry(1, CallKind.Expert, "answer", "answer-1", "gpt-5", 0, 0, 0.05m, 1));
        holds.First(h => h is not null)!.Dispose();
        ledger.AvailableUsd.Should().Be(0.35m);
        using var next = await ledger.HoldAsync(0.3m);
        var refused = await FluentActions.Awaiting(async () => await ledger.HoldAsync(0.3m)).Should().ThrowAsync<BudgetExhaustedException>();
        refused.Which.Message.Should().Contain("worst case");
    }

    [Fact]
    public async Task An_account_sees_everything_committed_and_its_refusal_releases_the_hold()
    {
        var account = new RecordingAccount(limit: 0.5m);
        var ledger = new Ledger(account: account);
        using (await ledger.HoldAsync(0.2m))
        {
            account.Asked.Should().Equal(0.2m);
            await FluentActions.Awaiting(async () => await ledger.HoldAsync(0.4m)).Should().ThrowAsync<BudgetExhaustedException>();
            account.Asked.Should().Equal(0.2m, 0.6m);
        }
        ledger.AvailableUsd.Should().BeNull("the ledger has no budget of its own");
        using var again = await ledger.HoldAsync(0.4m);
        account.Asked.Last().Should().Be(0.4m, "the refused hold and the released one count no more");
    }

    private sealed class RecordingAccount(decimal limit) : ISpendAccount
    {
        public List<decimal> Asked { get; } = [];

        public ValueTask CoverAsync(decimal committedUsd, decimal worstCaseUsd, CancellationToken ct)
        {
            Asked.Add(committedUsd);
            return committedUsd > limit ? throw new BudgetExhaustedException(committedUsd - worstCaseUsd, limit, worstCaseUsd) : ValueTask.CompletedTask;
        }
    }
}
