using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Tools.Tests;

public sealed class ToolLedgerTests
{
    [Fact]
    public void Tool_calls_land_in_the_ledger_with_their_dollars_and_seconds()
    {
        var ledger = new Ledger();
        var prices = new ToolPrices(CodePerSecond: 0.5m);

        ledger.Record(ToolLedger.Code(1, new CodeResult("42\n", "", 0, false, 2.0), prices, alias: "reasoner-2"));
        ledger.Record(ToolLedger.Retrieval(2, new RetrievalResult([], 0.016m, "local+web", 1.5)));
        ledger.Record(ToolLedger.Retrieval(3, new RetrievalResult([], 0m, "local", 0.01)));
        ledger.Record(ToolLedger.Mcp(4, new McpToolCall("get-sum", "42", false, 0.25, 0.1m)));

        ledger.CostUsd.Should().Be(1m + 0.016m + 0.1m);
        ledger.ToolLatencySeconds.Should().BeApproximately(3.76, 1e-9);
        ledger.Entries.Select(e => e.Kind).Should().Equal(CallKind.Code, CallKind.WebSearch, CallKind.Search, CallKind.Tool);
        ledger.Entries[0].Alias.Should().Be("reasoner-2");
        ledger.Entries[3].Tool.Should().Be("get-sum");
    }
}
