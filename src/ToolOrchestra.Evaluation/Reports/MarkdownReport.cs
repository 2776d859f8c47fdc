using System.Text;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>The report as Markdown: every section's notes and pipe tables.</summary>
public static class MarkdownReport
{
    public static string Write(EvalReport report)
    {
        var md = new StringBuilder("# Evaluation report\n\n");
        md.AppendLine($"Store: `{report.Store}`; runs: {string.Join(", ", report.Runs.Select(r => $"`{r.RunId}`"))}.").AppendLine();
        if (report.Simulated) md.AppendLine($"**{HtmlReport.SimulatedBanner}**").AppendLine();
        foreach (var section in ReportSections.Of(report))
        {
            md.AppendLine($"## {section.Title}").AppendLine();
            foreach (var note in section.Notes) md.AppendLine(note).AppendLine();
            foreach (var table in section.Tables)
            {
                md.Append("| ").Append(string.Join(" | ", table.Header.Select(Cell))).AppendLine(" |");
                md.Append('|').Append(string.Concat(table.Header.Select(_ => "---|"))).AppendLine();
                foreach (var row in table.Rows) md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).AppendLine(" |");
                md.AppendLine();
            }
        }
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
