namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>A labelled point of a scatter; <see cref="Highlight"/> draws it in the first colour (e.g. on the Pareto frontier).</summary>
internal sealed record ScatterPoint(string Label, double X, double Y, bool Highlight);

/// <summary>
/// A scatter with every point labelled and the highlighted points joined by a dashed line (the Pareto frontier).
/// Labels go right of their point, or left when they would pass the right edge, and step down (or up) past labels
/// already placed so none overlap.
/// </summary>
internal static class ScatterChart
{
    public static string Render(string title, string xTitle, string yTitle, IReadOnlyList<ScatterPoint> points, Func<double, string> xFormat,
        Func<double, string> yFormat, string lineName, double width = 760, double plotHeight = 320)
    {
        const double titleH = 34, tickSize = 11, labelSize = 11, pad = 10;
        var probeY = new Axis(points.Select(p => p.Y).Append(1), 0, 1);
        var yTickWidth = probeY.Ticks.Max(t => Svg.TextWidth(yFormat(t), tickSize));
        var left = pad + 16 + 8 + yTickWidth + 6;
        var right = width - 16;
        var legend = new List<(string, string, bool)> { (lineName, Svg.Colour(0), true), ("other runs", "#777", false) };
        var legendH = Legend.Measure(legend.Select(l => l.Item1).ToList(), width);
        var plotTop = titleH + 8;
        var plotBottom = plotTop + plotHeight;
        var svg = new Svg(width, plotBottom + 22 + 24 + legendH + pad, title);

        var x = new Axis(points.Select(p => p.X), left, right);
        var y = new Axis(points.Select(p => p.Y).Append(1), plotBottom, plotTop);
        svg.Text(width / 2, 22, Legend.Clip(title, width - 2 * pad, 15), 15, "middle", "bold");
        Grid(svg, x, y, left, right, plotTop, plotBottom, xFormat, yFormat, tickSize);
        svg.Text(left + (right - left) / 2, plotBottom + 38, xTitle, 12, "middle");
        svg.Text(pad + 12, plotTop + plotHeight / 2, yTitle, 12, "middle", rotate: -90);

        var frontier = points.Where(p => p.Highlight).OrderBy(p => p.X).Select(p => (x[p.X], y[p.Y])).ToList();
        if (frontier.Count > 1) svg.Polyline(frontier, Svg.Colour(0), 2, "6 4");

        var placed = new List<(double X0, double Y0, double X1, double Y1)>();
        foreach (var p in points.OrderBy(p => p.Y).ThenBy(p => p.X))
        {
            var (px, py) = (x[p.X], y[p.Y]);
            svg.Circle(px, py, 5, p.Highlight ? Svg.Colour(0) : "#777", $"{p.Label}: {xFormat(p.X)}, {yFormat(p.Y)}");
            var text = Legend.Clip(p.Label, (right - left) / 2, labelSize);
            var w = Svg.TextWidth(text, labelSize);
            var (x0, baseline) = Place(placed, px, w, py + 4, labelSize, plotTop + labelSize, plotBottom + 2, width - 4);
            placed.Add((x0, baseline - labelSize, x0 + w, baseline + 3));
            if (Math.Abs(baseline - (py + 4)) > 1) // moved off its point: a leader line says whose label it is
                svg.Line(px, py, x0 < px ? x0 + w : x0, baseline - labelSize / 2, "#aaa", 0.8);
            svg.Text(x0, baseline, text, labelSize, "start", cls: "point-label");
        }
        Legend.Draw(svg, legend, plotBottom + 48, width);
        return svg.ToString();
    }

    /// <summary>
    /// Where a point's label goes: right of the point, else left of it, at the point's height, else the nearest height
    /// below or above where it overlaps no label already placed and stays inside the plot and the picture.
    /// </summary>
    private static (double X0, double Baseline) Place(List<(double X0, double Y0, double X1, double Y1)> placed, double px, double w, double want,
        double size, double min, double max, double maxX)
    {
        bool Free(double x0, double b) => x0 >= 2 && x0 + w <= maxX && b >= min && b <= max
                                           && !placed.Any(q => x0 < q.X1 && x0 + w > q.X0 && b - size < q.Y1 && b + 3 > q.Y0);
        var sides = new[] { px + 8, px - 8 - w };
        for (var step = 0; step < 40; step++)
            foreach (var b in step == 0 ? [want] : new[] { want + step * (size + 2), want - step * (size + 2) })
                foreach (var x0 in sides)
                    if (Free(x0, b)) return (x0, b);
        return (px + 8 + w <= maxX ? px + 8 : px - 8 - w, Math.Clamp(want, min, max));
    }

    /// <summary>Grid lines and tick labels of both axes.</summary>
    internal static void Grid(Svg svg, Axis x, Axis y, double left, double right, double top, double bottom, Func<double, string> xFormat,
        Func<double, string> yFormat, double tickSize)
    {
        foreach (var t in y.Ticks)
        {
            svg.Line(left, y[t], right, y[t], "#e4e4e4");
            svg.Text(left - 6, y[t] + 4, yFormat(t), tickSize, "end", fill: "#555");
        }
        foreach (var t in x.Ticks)
        {
            svg.Line(x[t], top, x[t], bottom, "#eeeeee");
            var label = xFormat(t);
            var anchor = t == x.Ticks[^1] && x[t] + Svg.TextWidth(label, tickSize) / 2 > svg.Width - 4 ? "end" : "middle";
            svg.Text(x[t], bottom + 16, label, tickSize, anchor, fill: "#555");
        }
        svg.Line(left, bottom, right, bottom, "#555");
        svg.Line(left, top, left, bottom, "#555");
    }
}
