using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>The code interpreter's price (reference §4): wall-clock seconds times the catalog's per-second price.</summary>
public static class CodePricing
{
    /// <summary>What a run may take beyond its time limit (sandbox start, the kill), for its worst case.</summary>
    public const double OverheadSeconds = 2;

    public static decimal CostUsd(this CodeResult result, ToolPrices prices) =>
        decimal.Round((decimal)result.Seconds * prices.CodePerSecond, 12);
}
