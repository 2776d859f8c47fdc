using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Tools;

/// <summary>
/// Ledger entries for the non-LLM tools, so every caller books them the same way: no tokens, the tool's
/// dollars and wall-clock seconds. <c>alias</c> is the expert alias that asked for the call, if any.
/// </summary>
public static class ToolLedger
{
    public static LedgerEntry Code(int turn, CodeResult result, ToolPrices prices, string tool = "code_interpreter", string? alias = null) =>
        new(turn, CallKind.Code, tool, alias, null, 0, 0, result.CostUsd(prices), result.Seconds);

    /// <summary>Web results (source containing "web") are booked as web search, the rest as local/remote search.</summary>
    public static LedgerEntry Retrieval(int turn, RetrievalResult result, string tool = "search", string? alias = null) =>
        new(turn, result.Source.Contains("web", StringComparison.Ordinal) ? CallKind.WebSearch : CallKind.Search,
            tool, alias, null, 0, 0, result.CostUsd, result.Seconds);

    public static LedgerEntry Mcp(int turn, McpToolCall call, string? alias = null) =>
        new(turn, CallKind.Tool, call.Tool, alias, null, 0, 0, call.CostUsd, call.Seconds);
}
