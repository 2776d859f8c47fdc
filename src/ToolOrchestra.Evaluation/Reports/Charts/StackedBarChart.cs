namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>One bar: a row label and its segments' shares (0..1), by category name.</summary>
internal sealed record StackedBar(string Label, IReadOnlyDictionary<string, double> Shares);

/// <summary>
/// Horizontal 100% bars, one per run, segments stacked in the given category order (call order), each segment's
/// percentage written inside when it fits; legend below in rows.
/// </summary>
internal static class StackedBarChart
{
    public static string Render(string title, IReadOnlyList<StackedBar> bars, IReadOnlyList<string> categories, double width = 760)
    {
        const double titleH = 34, size = 11, pad = 10, barH = 22, gap = 10;
        var labels = bars.Select(b => Legend.Clip(b.Label, 300, 12)).ToList();
        var left = pad + (labels.Count == 0 ? 0 : labels.Max(l => Svg.TextWidth(l, 12))) + 8;
        var right = width - 20;
        var legendH = Legend.Measure(categories, width);
        var plotTop = titleH + 8;
        var plotBottom = plotTop + bars.Count * (barH + gap);
        var svg = new Svg(width, plotBottom + 22 + legendH + pad, title);
        svg.Text(width / 2, 22, Legend.Clip(title, width - 2 * pad, 15), 15, "middle", "bold");

        for (var t = 0; t <= 4; t++)
        {
            var gx = left + (right - left) * t / 4;
            svg.Line(gx, plotTop, gx, plotBottom, "#eeeeee");
            svg.Text(gx, plotBottom + 14, $"{t * 25}%", size, t == 4 ? "end" : t == 0 ? "start" : "middle", fill: "#555");
        }
        for (var b = 0; b < bars.Count; b++)
        {
            var top = plotTop + b * (barH + gap) + gap / 2;
            svg.Text(left - 8, top + barH / 2 + 4, labels[b], 12, "end");
            var x = left;
            for (var c = 0; c < categories.Count; c++)
            {
                var share = bars[b].Shares.GetValueOrDefault(categories[c]);
                if (share <= 0) continue;
                var w = share * (right - left);
                svg.Rect(x, top, w, barH, Svg.Colour(c), $"{bars[b].Label}: {categories[c]} {ReportFormat.Pct(share)}");
                var text = ReportFormat.Pct(share);
                if (Svg.TextWidth(text, size) + 6 <= w)
                    svg.Text(x + w / 2, top + barH / 2 + 4, text, size, "middle", fill: c % 17 is 6 or 13 or 9 or 4 ? "#000" : "#fff", cls: "segment-label");
                x += w;
            }
        }
        Legend.Draw(svg, categories.Select((c, i) => (c, Svg.Colour(i), false)).ToList(), plotBottom + 22, width);
        return svg.ToString();
    }
}
