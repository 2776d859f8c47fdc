using System.Globalization;
using System.Net;
using System.Text;
using ToolOrchestra.Evaluation.Reports.Charts;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// The report as one self-contained HTML page: the same sections and tables as the Markdown, with the charts inlined
/// as SVG (no scripts, no external files), so it can be mailed or attached to a CI run as is. Given transcripts, it
/// ends with a table of samples per run, each row linking to the sample's transcript further down the same page
/// (like <c>inspect view</c>, but one file).
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
        .transcript { border-top: 1px solid #ddd; margin-top: 16px; } .transcript pre { white-space: pre-wrap; margin: 0; font-size: 12px; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; } .charts svg { border: 1px solid #eee; max-width: 100%; height: auto; }
        """;

    public static string Write(EvalReport report, IReadOnlyList<SampleTranscript>? transcripts = null)
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
            foreach (var table in section.Tables) Table(html, table.Header, table.Rows.Select(r => r.Select(E)));
            html.Append("</section>\n");
        }
        if (transcripts is { Count: > 0 }) Samples(html, report, transcripts);
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>Per run, a row per sample linking to its transcript (<c>#sample-R-S</c>, numbered so any id is a safe anchor).</summary>
    private static void Samples(StringBuilder html, EvalReport report, IReadOnlyList<SampleTranscript> transcripts)
    {
        var anchors = transcripts.GroupBy(t => t.RunId).SelectMany((g, r) => g.Select((t, s) => (t, Id: $"sample-{r + 1}-{s + 1}"))).ToList();
        html.Append("<section id=\"samples\"><h2>Samples</h2>\n<p class=\"note\">Each sample links to its transcript below; ")
            .Append("<code>orchestra eval show --store STORE RUN SAMPLE</code> prints any sample in full.</p>\n");
        foreach (var run in anchors.GroupBy(a => a.t.RunId))
        {
            var total = report.Runs.FirstOrDefault(r => r.RunId == run.Key)?.Samples ?? run.Count();
            html.Append("<h3>").Append(E(run.Key)).Append("</h3>\n");
            if (total > run.Count()) html.Append("<p class=\"note\">The first ").Append(run.Count()).Append(" of ").Append(total).Append(" samples.</p>\n");
            Table(html, ["sample", "verdict", "answer", "gold", "$", "turns"], run.Select(a => new[]
            {
                $"<a href=\"#{a.Id}\">{E(a.t.SampleId)}</a>", E(a.t.Verdict), E(SampleTranscript.Cut(a.t.Answer, 80) ?? "–"),
                E(SampleTranscript.Cut(a.t.Gold, 80) ?? "–"), E(ReportFormat.Dollars(a.t.CostUsd)), a.t.Turns.Count.ToString(CultureInfo.InvariantCulture),
            }));
        }
        html.Append("</section>\n<section id=\"transcripts\"><h2>Transcripts</h2>\n");
        foreach (var (t, id) in anchors)
        {
            html.Append("<div class=\"transcript\" id=\"").Append(id).Append("\"><h3>").Append(E($"{t.RunId} · {t.SampleId}")).Append("</h3>\n");
            Table(html, ["field", "value"], new (string, string?)[]
            {
                ("question", t.Question), ("gold", t.Gold), ("answer", t.Answer), ("verdict", $"{t.Verdict} ({t.VerdictSourceText})"),
                ("judge's reasoning", t.JudgeReasoning), ("stop", t.StopReason), ("error", t.Error),
                ("cost", $"{ReportFormat.Dollars(t.CostUsd)} (judge {ReportFormat.Dollars(t.JudgeCostUsd)}), tool {ReportFormat.Num(t.LatencySeconds)} s, wall {ReportFormat.Num(t.WallSeconds)} s"),
            }.Where(f => f.Item2 is not null).Select(f => new[] { E(f.Item1), $"<pre>{E(SampleTranscript.Cut(f.Item2, 2000)!)}</pre>" }));
            Table(html, ["turn", "role", "text", "tool", "alias", "arguments", "observation"], t.Turns.Select(u => new[]
            {
                u.Turn.ToString(CultureInfo.InvariantCulture), E(u.Role), Pre(u.Text), E(u.Tool ?? ""), E(u.Alias ?? u.Model ?? ""), Pre(u.Arguments),
                Pre(u.Error is { } err ? "error: " + err : u.Observation),
            }));
            Table(html, ["turn", "kind", "tool", "alias", "model", "tokens in", "tokens out", "$", "s"], t.Calls.Select(c => new[]
            {
                c.Turn.ToString(CultureInfo.InvariantCulture), E(c.Kind ?? ""), E(c.Tool ?? ""), E(c.Alias ?? ""), E(c.Model ?? ""),
                c.InputTokens.ToString(CultureInfo.InvariantCulture), c.OutputTokens.ToString(CultureInfo.InvariantCulture),
                E(ReportFormat.Dollars(c.CostUsd)), ReportFormat.Num(c.LatencySeconds),
            }));
            html.Append("<p class=\"note\"><a href=\"#samples\">back to the samples</a></p></div>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>A table whose cells are already HTML (escaped by the caller).</summary>
    private static void Table(StringBuilder html, IEnumerable<string> header, IEnumerable<IEnumerable<string>> rows)
    {
        html.Append("<table><thead><tr>").AppendJoin("", header.Select(h => $"<th>{E(h)}</th>")).Append("</tr></thead><tbody>\n");
        foreach (var row in rows) html.Append("<tr>").AppendJoin("", row.Select(c => $"<td>{c}</td>")).Append("</tr>\n");
        html.Append("</tbody></table>\n");
    }

    private static string Pre(string? text) => text is null ? "" : $"<pre>{E(SampleTranscript.Cut(text)!)}</pre>";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
