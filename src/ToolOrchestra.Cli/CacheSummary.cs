using System.Globalization;
using ToolOrchestra.Models.Caching;

namespace ToolOrchestra.Cli;

/// <summary>The response cache's counters in one line, as every command that takes <c>--cache</c> prints them.</summary>
internal static class CacheSummary
{
    public static string Line(ResponseCacheStats s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Hits} hits, {s.Misses} misses; paid ${s.PaidUsd:0.######}, saved ${s.SavedUsd:0.######}");
}
