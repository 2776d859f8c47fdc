using System.Globalization;
using System.Security;
using System.Text;

namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>
/// A hand-written SVG canvas: the few primitives the report's charts draw, numbers in invariant culture, text escaped.
/// Charts lay themselves out with <see cref="TextWidth"/>, a deliberately generous estimate of a label's width, so
/// that no label or legend runs past the picture however the browser's sans-serif font measures it.
/// </summary>
internal sealed class Svg(double width, double height, string title)
{
    public const string Font = "DejaVu Sans, Verdana, Arial, sans-serif";
    private readonly StringBuilder _body = new();

    public double Width => width;
    public double Height { get; set; } = height;

    /// <summary>An upper bound on the rendered width of <paramref name="text"/> at <paramref name="size"/> px (wide fonts included).</summary>
    public static double TextWidth(string text, double size)
    {
        double em = 0;
        foreach (var c in text)
            em += c switch
            {
                'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' or ' ' => 0.40,
                'm' or 'w' or 'M' or 'W' or '%' or '@' => 1.0,
                >= 'A' and <= 'Z' => 0.80,
                >= '0' and <= '9' => 0.66,
                _ when c > 0x7F => 1.0,
                _ => 0.66,
            };
        return em * size;
    }

    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string? weight = null, string fill = "#222", double? rotate = null, string? cls = null)
    {
        _body.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{F(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\"");
        if (weight is not null) _body.Append(CultureInfo.InvariantCulture, $" font-weight=\"{weight}\"");
        if (rotate is { } r) _body.Append(CultureInfo.InvariantCulture, $" transform=\"rotate({F(r)} {F(x)} {F(y)})\"");
        if (cls is not null) _body.Append(CultureInfo.InvariantCulture, $" class=\"{cls}\"");
        _body.Append('>').Append(SecurityElement.Escape(text)).Append("</text>\n");
    }

    public void Line(double x1, double y1, double x2, double y2, string stroke = "#888", double strokeWidth = 1, string? dash = null) =>
        _body.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{stroke}\" stroke-width=\"{F(strokeWidth)}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>\n");

    public void Rect(double x, double y, double w, double h, string fill, string? tooltip = null)
    {
        _body.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(Math.Max(w, 0))}\" height=\"{F(Math.Max(h, 0))}\" fill=\"{fill}\"");
        _body.Append(tooltip is null ? "/>\n" : $"><title>{SecurityElement.Escape(tooltip)}</title></rect>\n");
    }

    public void Circle(double cx, double cy, double r, string fill, string? tooltip = null)
    {
        _body.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1\"");
        _body.Append(tooltip is null ? "/>\n" : $"><title>{SecurityElement.Escape(tooltip)}</title></circle>\n");
    }

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double strokeWidth = 2, string? dash = null) =>
        _body.Append(CultureInfo.InvariantCulture,
            $"<polyline fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{F(strokeWidth)}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")} points=\"{string.Join(" ", points.Select(p => $"{F(p.X)},{F(p.Y)}"))}\"/>\n");

    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"{SecurityElement.Escape(title)}\" width=\"{F(width)}\" height=\"{F(Height)}\" " +
        $"viewBox=\"0 0 {F(width)} {F(Height)}\" font-family=\"{Font}\">\n<title>{SecurityElement.Escape(title)}</title>\n" +
        $"<rect x=\"0\" y=\"0\" width=\"{F(width)}\" height=\"{F(Height)}\" fill=\"#fff\"/>\n{_body}</svg>";

    public static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Colour-blind-safe palette (Okabe–Ito, then Tol's muted), cycled.</summary>
    public static string Colour(int i) => Palette[i % Palette.Length];

    private static readonly string[] Palette =
        ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499"];
}
