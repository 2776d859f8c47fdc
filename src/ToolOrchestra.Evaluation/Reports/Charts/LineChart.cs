namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>One named line of a line chart.</summary>
internal sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// Lines over a shared x axis, each point marked, with the legend in rows below. With <c>categories</c> the x values
/// are placed evenly in that order (turn limits 10, 20, 50, 100 read better evenly spaced).
/// </summary>
internal static class LineChart
{
    public static string Render(string title, string xTitle, string yTitle, IReadOnlyList<Series> series, Func<double, string> xFormat,
        Func<double, string> yFormat, IReadOnlyList<double>? categories = null, double width = 760, double plotHeight = 260, bool yFromZero = true)
    {
        const double titleH = 34, tickSize = 11, pad = 10;
        var ys = series.SelectMany(s => s.Points.Select(p => p.Y)).ToList();
        var probe = new Axis(ys, 0, 1, yFromZero);
        var left = pad + 16 + 8 + probe.Ticks.Max(t => Svg.TextWidth(yFormat(t), tickSize)) + 6;
        var right = width - 16 - (categories is null ? 0 : 24);
        var names = series.Select(s => s.Name).ToList();
        var legendH = Legend.Measure(names, width);
        var plotTop = titleH + 8;
        var plotBottom = plotTop + plotHeight;
        var svg = new Svg(width, plotBottom + 22 + 24 + legendH + pad, title);

        Axis x;
        Func<double, double> px;
        if (categories is not null)
        {
            x = new Axis(Enumerable.Range(0, categories.Count).Select(i => (double)i), left + 24, right, includeZero: false, tickCount: Math.Max(categories.Count - 1, 1));
            px = v => x[Math.Max(0, IndexOf(categories, v))];
        }
        else
        {
            x = new Axis(series.SelectMany(s => s.Points.Select(p => p.X)), left, right, includeZero: false);
            px = v => x[v];
        }
        var y = new Axis(ys, plotBottom, plotTop, yFromZero);
        svg.Text(width / 2, 22, Legend.Clip(title, width - 2 * pad, 15), 15, "middle", "bold");
        var xLabels = categories is null ? xFormat : (Func<double, string>)(i => i >= 0 && i < categories.Count && Math.Abs(i - Math.Round(i)) < 1e-9 ? xFormat(categories[(int)Math.Round(i)]) : "");
        ScatterChart.Grid(svg, x, y, left, right, plotTop, plotBottom, xLabels, yFormat, tickSize);
        svg.Text(left + (right - left) / 2, plotBottom + 38, xTitle, 12, "middle");
        svg.Text(pad + 12, plotTop + plotHeight / 2, yTitle, 12, "middle", rotate: -90);

        for (var i = 0; i < series.Count; i++)
        {
            var pts = series[i].Points.Select(p => (px(p.X), y[p.Y])).ToList();
            if (pts.Count > 1) svg.Polyline(pts, Svg.Colour(i), 2);
            if (pts.Count <= 40)
                foreach (var (p, (sx, sy)) in series[i].Points.Zip(pts))
                    svg.Circle(sx, sy, 3.5, Svg.Colour(i), $"{series[i].Name}: {xFormat(p.X)}, {yFormat(p.Y)}");
        }
        Legend.Draw(svg, series.Select((s, i) => (s.Name, Svg.Colour(i), true)).ToList(), plotBottom + 48, width);
        return svg.ToString();
    }

    private static int IndexOf(IReadOnlyList<double> categories, double v)
    {
        for (var i = 0; i < categories.Count; i++) if (categories[i] == v) return i;
        return -1;
    }
}
