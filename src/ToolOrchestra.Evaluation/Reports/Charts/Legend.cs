namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>
/// A legend laid out in rows below a chart, wrapping before an entry would pass the right edge, so it is never
/// clipped; <see cref="Measure"/> gives the height to reserve before drawing.
/// </summary>
internal static class Legend
{
    private const double Size = 12, Swatch = 12, Gap = 18, RowHeight = 20;

    public static double Measure(IReadOnlyList<string> names, double width) => Layout(names, width).Rows * RowHeight;

    public static void Draw(Svg svg, IReadOnlyList<(string Name, string Colour, bool Line)> entries, double top, double width)
    {
        var (positions, _) = Layout(entries.Select(e => e.Name).ToList(), width);
        for (var i = 0; i < entries.Count; i++)
        {
            var (x, row) = positions[i];
            var y = top + row * RowHeight + 14;
            if (entries[i].Line) svg.Line(x, y - 4, x + Swatch, y - 4, entries[i].Colour, 3);
            else svg.Rect(x, y - 10, Swatch, Swatch, entries[i].Colour);
            svg.Text(x + Swatch + 5, y, Clip(entries[i].Name, width - 2 * 10 - Swatch - 5), Size, cls: "legend");
        }
    }

    private static (List<(double X, int Row)> Positions, int Rows) Layout(IReadOnlyList<string> names, double width)
    {
        var positions = new List<(double, int)>();
        double x = 10;
        var row = 0;
        foreach (var name in names)
        {
            var w = Swatch + 5 + Svg.TextWidth(Clip(name, width - 2 * 10 - Swatch - 5), Size);
            if (x > 10 && x + w > width - 10) { row++; x = 10; }
            positions.Add((x, row));
            x += w + Gap;
        }
        return (positions, names.Count == 0 ? 0 : row + 1);
    }

    /// <summary>Shortens a label with an ellipsis until its estimated width fits.</summary>
    public static string Clip(string text, double maxWidth, double size = Size)
    {
        if (Svg.TextWidth(text, size) <= maxWidth) return text;
        var cut = text;
        while (cut.Length > 1 && Svg.TextWidth(cut + "…", size) > maxWidth) cut = cut[..^1];
        return cut + "…";
    }
}
