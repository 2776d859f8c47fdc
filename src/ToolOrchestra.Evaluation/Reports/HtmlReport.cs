using System.Net;
using System.Text;
using ToolOrchestra.Evaluation.Reports.Charts;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// The report as one self-contained HTML page: the same sections and tables as the Markdown, with the charts inlined
/// as SVG (no scripts, no external files), so it can be mailed or attached to a CI run as is.
/// </summary>
public static class HtmlReport
{
    public const string SimulatedBanner = "SIMULATED: runs marked (simulated) used the offline world's simulated experts, not real models.";

    private const string Style = """
        body { font-family: DejaVu Sans, Verdana, Arial, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f4f4f4; } tr:nth-child(even) td { background: #fafafa; }
        .note { color: #555; font-size: 13px; max-width: 900px; }
        .banner { background: #fff3cd; border: 1px solid #e0c36a; padding: 8px 12px; font-weight: bold; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; } .charts svg { border: 1px solid #eee; max-width: 100%; height: auto; }
        """;

    public static string Write(EvalReport report)
    {
        var charts = ReportCharts.Of(report);
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation report</title>\n<style>\n")
            .Append(Style).Append("</style></head><body>\n<h1>Evaluation report</h1>\n");
        html.Append("<p class=\"note\">Store: <code>").Append(E(report.Store)).Append("</code>; runs: ")
            .Append(string.Join(", ", report.Runs.Select(r => $"<code>{E(r.RunId)}</code>"))).Append(".</p>\n");
        if (report.Simulated) html.Append("<p class=\"banner\">").Append(E(SimulatedBanner)).Append("</p>\n");
        foreach (var section in ReportSections.Of(report))
        {
            html.Append("<section id=\"").Append(E(section.Id)).Append("\"><h2>").Append(E(section.Title)).Append("</h2>\n");
            foreach (var note in section.Notes) html.Append("<p class=\"note\">").Append(E(note)).Append("</p>\n");
            if (charts.TryGetValue(section.Id, out var svgs))
                html.Append("<div class=\"charts\">\n").AppendJoin("\n", svgs).Append("\n</div>\n");
            foreach (var table in section.Tables)
            {
                html.Append("<table><thead><tr>").AppendJoin("", table.Header.Select(h => $"<th>{E(h)}</th>")).Append("</tr></thead><tbody>\n");
                foreach (var row in table.Rows) html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{E(c)}</td>")).Append("</tr>\n");
                html.Append("</tbody></table>\n");
            }
            html.Append("</section>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
