using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using ToolOrchestra.Evaluation.Reports;
using static ToolOrchestra.Evaluation.Tests.Reports.SeededRuns;

namespace ToolOrchestra.Evaluation.Tests.Reports;

/// <summary>
/// Opens the report's HTML in a real browser (Debian's Chromium driven by Playwright) and measures what it drew: every
/// chart text (titles, tick labels, point labels, legends) must lie inside its SVG's box, and no two point labels or
/// legend entries may overlap.
/// </summary>
public class HtmlRenderTests
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task Every_chart_text_stays_inside_its_svg_and_labels_do_not_overlap_in_chromium()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing; .ci/install-tools.sh installs Debian's chromium");
        var html = await CrowdedReportAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("report-html").FullName, "report.html");
        await File.WriteAllTextAsync(file, html);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Args = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" ? ["--no-sandbox"] : [],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        await page.GotoAsync(new Uri(file).AbsoluteUri);

        var problems = await page.EvaluateAsync<string[]>(Measure);
        var charts = await page.EvaluateAsync<int>("() => document.querySelectorAll('svg.chart').length");
        if (Environment.GetEnvironmentVariable("REPORT_SCREENSHOTS") is { } folder) // to look at the charts by eye
            for (var i = 0; i < charts; i++)
                await page.Locator("svg.chart").Nth(i).ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, $"chart{i}.png") });

        charts.Should().Be(2 + 3 + 1 + 7, "two sweep charts, three call-share charts, the scatter and seven training curves");
        problems.Should().BeEmpty();

        // The measurement itself catches a label past the edge and two labels on top of each other.
        await page.SetContentAsync("""
            <svg class="chart" aria-label="broken" width="200" height="100" viewBox="0 0 200 100"><text x="190" y="50" font-size="12">past the edge</text>
            <text class="legend" x="10" y="80" font-size="12">one</text><text class="legend" x="12" y="81" font-size="12">two</text></svg>
            """);
        (await page.EvaluateAsync<string[]>(Measure)).Should().HaveCount(2).And.Contain(p => p.Contains("'past the edge'")).And.Contain(p => p.Contains("overlaps"));
    }

    private const string Measure = """
            () => {
              const out = [];
              const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
              for (const svg of document.querySelectorAll('svg.chart')) {
                const box = svg.getBoundingClientRect();
                const name = svg.getAttribute('aria-label');
                for (const t of svg.querySelectorAll('text')) {
                  const r = t.getBoundingClientRect();
                  if (r.width === 0) { out.push(`${name}: empty text`); continue; }
                  if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
                    out.push(`${name}: '${t.textContent}' [${r.left.toFixed(1)},${r.top.toFixed(1)},${r.right.toFixed(1)},${r.bottom.toFixed(1)}] outside [${box.left.toFixed(1)},${box.top.toFixed(1)},${box.right.toFixed(1)},${box.bottom.toFixed(1)}]`);
                }
                for (const cls of ['point-label', 'legend']) {
                  const labels = [...svg.querySelectorAll('text.' + cls)].map(t => [t.textContent, t.getBoundingClientRect()]);
                  for (let i = 0; i < labels.length; i++)
                    for (let j = i + 1; j < labels.length; j++)
                      if (overlap(labels[i][1], labels[j][1])) out.push(`${name}: ${cls} '${labels[i][0]}' overlaps '${labels[j][0]}'`);
                }
              }
              return out;
            }
            """;

    /// <summary>A report made to crowd its charts: seven runs with long names and near-identical points, many aliases, a 60-step curve.</summary>
    private static async Task<string> CrowdedReportAsync()
    {
        await using var store = await SqliteAsync();
        var names = new[] { "orchestrator-8b-orchestrated-full-catalog", "gpt-5-direct", "gpt-5-basic-tools", "qwen3-8b-orchestrated", "heuristic", "learned-policy-seed-1", "learned-policy-seed-2" };
        string[] aliases = ["search-1", "search-2", "search-3", "reasoner-1", "reasoner-2", "reasoner-3", "answer-1", "answer-2", "answer-3", "answer-4", "answer-math-1", "answer-math-2"];
        string[] models = ["gpt-5", "gpt-5-mini", "qwen3-32b", "gpt-5", "gpt-5-mini", "qwen2.5-coder-32b", "gpt-5", "gpt-5-mini", "llama-3.3-70b", "qwen3-32b", "qwen2.5-math-72b", "qwen2.5-math-7b"];
        for (var r = 0; r < names.Length; r++)
        {
            await store.BeginRunAsync(Run(names[r]));
            for (var t = 0; t < 8; t++)
            {
                var calls = Enumerable.Range(0, 1 + (t + r) % 4).Select(i => (aliases[(r * 3 + t + i) % aliases.Length], models[(r * 3 + t + i) % aliases.Length], 0.001m * (r % 3 + 1), 1.0 + i)).ToArray();
                await store.SaveSampleAsync(Sample(names[r], $"t{t}", (t + r) % 3 != 0 || r < 2, Ledger(calls)));
            }
        }
        var curve = Path.Combine(Directory.CreateTempSubdirectory("report-curve").FullName, "training.csv");
        var csv = new StringBuilder("step,episodes,mean_reward,accuracy,dollars_per_episode,seconds_per_episode,turns_per_episode,kept_samples,dropped_homogeneous,dropped_no_answer,loss,kl,clip_fraction,grad_norm\n");
        for (var s = 1; s <= 60; s++)
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{s},64,{0.1 + s * 0.01:0.###},{0.3 + s * 0.005:0.###},{0.002 - s * 0.00001:0.########},{40 - s * 0.2:0.###},3.1,60,2,2,{-0.01 * Math.Sin(s):0.######},{0.0001 * s:0.######},{0.05 + 0.001 * (s % 7):0.####},1.2"));
        await File.WriteAllTextAsync(curve, csv.ToString());
        var report = await EvalReport.BuildAsync(store, new ReportRequest(names) { Training = [TrainingCurve.Load(curve)] });
        return HtmlReport.Write(report);
    }
}
