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
}
