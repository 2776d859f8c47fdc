using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace ToolOrchestra.Tools.Web;

/// <summary>
/// A page's readable text: the title, then the body's text with scripts, styles, navigation chrome and hidden parts
/// left out, a line break after each block element and table cells separated by <c>|</c>, whitespace collapsed.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "svg", "canvas", "iframe", "head", "nav", "footer", "form", "button", "select",
    };
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header",
        "main", "aside", "blockquote", "pre", "dt", "dd", "dl", "figure", "figcaption", "hr", "caption", "tbody", "thead",
    };

    public static string Extract(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var text = new StringBuilder();
        if (document.Title is { Length: > 0 } title) text.Append("Title: ").Append(Collapse(title)).Append("\n\n");
        if (document.Body is { } body) Walk(body, text);
        var lines = text.ToString().Split('\n').Select(l => l.Trim()).ToList();
        var result = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank <= 1) result.Append(line).Append('\n');
        }
        return result.ToString().Trim();
    }

    private static void Walk(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText t)
            {
                var collapsed = Collapse(t.Data);
                if (collapsed.Length > 0)
                {
                    if (text.Length > 0 && !char.IsWhiteSpace(text[^1]) && char.IsWhiteSpace(t.Data[0])) text.Append(' ');
                    text.Append(collapsed);
                    if (char.IsWhiteSpace(t.Data[^1])) text.Append(' ');
                }
                continue;
            }
            if (child is not IElement e || Skipped.Contains(e.LocalName) || e.HasAttribute("hidden")
                || (e.GetAttribute("aria-hidden") == "true")) continue;
            var block = Blocks.Contains(e.LocalName);
            if (block) text.Append('\n');
            if (e.LocalName is "td" or "th") text.Append(" | ");
            if (e.LocalName is "li") text.Append("- ");
            Walk(e, text);
            if (block) text.Append('\n');
        }
    }

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
