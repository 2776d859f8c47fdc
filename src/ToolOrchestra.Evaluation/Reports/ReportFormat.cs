using System.Globalization;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>How the writers print numbers: invariant culture, dollars with enough places for sub-cent tasks.</summary>
internal static class ReportFormat
{
    public static string Pct(double fraction) => (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    public static string Dollars(decimal d) => "$" + d.ToString(d != 0 && Math.Abs(d) < 0.01m ? "0.000000" : "0.0000", CultureInfo.InvariantCulture);
    public static string Num(double v, string format = "0.00") => v.ToString(format, CultureInfo.InvariantCulture);
    public static string Signed(double v, string format = "0.0000") => (v > 0 ? "+" : "") + v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>"search-1 0.95, answer-1 1.00" from a per-task count map, in the map's order.</summary>
    public static string PerTask(IReadOnlyDictionary<string, double> counts) =>
        counts.Count == 0 ? "–" : string.Join(", ", counts.Select(kv => $"{kv.Key} {Num(kv.Value)}"));

    public static string Errors(RunMetrics r) =>
        r.Errors == 0 ? "0" : $"{r.Errors} ({string.Join(", ", r.ErrorsByKind.Select(kv => $"{kv.Key} {kv.Value}"))})";

    /// <summary>Evenly spaced indices (first and last kept) so long training curves print as a short table.</summary>
    public static IEnumerable<int> Sampled(int count, int atMost)
    {
        if (count <= atMost) return Enumerable.Range(0, count);
        return Enumerable.Range(0, atMost).Select(i => (int)Math.Round(i * (count - 1) / (double)(atMost - 1))).Distinct();
    }
}
