using System.Globalization;
using System.Net;
using System.Text;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Demo;

/// <summary>
/// The demo's Markdown report with three hand-written SVG charts beside it: accuracy against dollars per task (log
/// scale: the policies span three orders of magnitude), first calls per alias per task as stacked bars, and the
/// preference sweep on the same accuracy-vs-dollars axes (one point per cost weight, so the dial reads as a path).
/// </summary>
public static class DemoReport
{
    public const string ReportFile = "report.md", ScatterFile = "accuracy-vs-dollars.svg", BarsFile = "calls-per-alias.svg", SweepFile = "preference-sweep.svg";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39"];

    /// <summary>Writes the report and its charts into <paramref name="directory"/>; returns their paths by name.</summary>
    public static IReadOnlyDictionary<string, string> Write(DemoResult result, string directory)
    {
        var scatter = Path.Combine(directory, ScatterFile);
        var bars = Path.Combine(directory, BarsFile);
        var report = Path.Combine(directory, ReportFile);
        var sweep = Path.Combine(directory, SweepFile);
        File.WriteAllText(scatter, Scatter(result.Evaluation, result.LearnedPolicyName), new UTF8Encoding(false));
        File.WriteAllText(sweep, SweepChart(result.PreferenceSweep), new UTF8Encoding(false));
        File.WriteAllText(bars, Bars(result.Evaluation), new UTF8Encoding(false));
        File.WriteAllText(report, Markdown(result), new UTF8Encoding(false));
        return new Dictionary<string, string> { ["report"] = report, ["chart_accuracy_vs_dollars"] = scatter, ["chart_calls_per_alias"] = bars, ["chart_preference_sweep"] = sweep };
    }

    public static string Markdown(DemoResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# orchestra demo report (SIMULATED experts)");
        sb.AppendLine();
        sb.AppendLine(string.Create(C, $"Offline world seed {r.Seed} ({r.WorldFingerprint}): {r.Documents} documents, {r.TrainTasks} training tasks, {r.TestTasks} held-out tasks. {r.Experts}."));
        sb.AppendLine(string.Create(C, $"Training: {r.Curve.Count} GRPO steps; last step reward {r.Curve[^1].MeanReward:0.000}, accuracy {r.Curve[^1].Accuracy:0.00}."));
        sb.AppendLine();
        sb.AppendLine("## Held-out results");
        sb.AppendLine();
        Table(sb, "policy", r.Evaluation.Select(e => (e.Policy, e)));
        sb.AppendLine($"![accuracy vs dollars]({ScatterFile})");
        sb.AppendLine();
        sb.AppendLine($"![calls per alias]({BarsFile})");
        sb.AppendLine();
        sb.AppendLine("## Preference adherence (the trained policy, one profile imposed on every task)");
        sb.AppendLine();
        Table(sb, "preferences", r.PreferenceAdherence.Select(e => (e.Policy[(r.LearnedPolicyName.Length + 2)..], e)));
        sb.AppendLine(string.Create(C, $"## Preferences as a dial (the trained policy, accuracy {PreferenceSweep.AccuracyWeight}, latency {PreferenceSweep.LatencyWeight}, cost weight swept)"));
        sb.AppendLine();
        sb.AppendLine("| cost weight | accuracy | $/task | s/task |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var p in r.PreferenceSweep)
            sb.AppendLine(string.Create(C, $"| {p.CostWeight} | {p.Accuracy:P1} | ${p.DollarsPerTask:0.0000} | {p.SecondsPerTask:0.0} |"));
        sb.AppendLine();
        sb.AppendLine($"![preference sweep]({SweepFile})");
        sb.AppendLine();
        sb.AppendLine("## Generalisation (no retraining)");
        sb.AppendLine();
        sb.AppendLine("| catalog | change | accuracy | kept | $/task | s/task | local calls |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var g in r.Generalisation)
            sb.AppendLine(string.Create(C, $"| {g.Catalog} | {g.Change} | {g.Evaluation.Accuracy:P1} | {g.AccuracyRetained:P0} | ${g.Evaluation.DollarsPerTask:0.0000} | {g.Evaluation.SecondsPerTask:0.0} | {g.Evaluation.LocalCallShare:P0} |"));
        sb.AppendLine();
        var k = r.Checks;
        sb.AppendLine("## Checks");
        sb.AppendLine();
        sb.AppendLine(string.Create(C, $"- vs {k.StrongestAlonePolicy}: accuracy {k.AccuracyGapPoints:+0.0;-0.0} points (bound ≥ −2), dollars ×{k.DollarsRatio:0.000} (≤ 0.4), seconds ×{k.SecondsRatio:0.000} (≤ 0.5): {(k.CostBoundMet ? "met" : "NOT met")}"));
        sb.AppendLine(string.Create(C, $"- hard-constraint violations: {k.ConstraintViolations}"));
        sb.AppendLine(string.Create(C, $"- local-call share: no preference {k.LocalShareNoPreference:P0}, prefer local {k.LocalSharePreferLocal:P0}: {(k.PreferLocalDoublesLocalShare ? "doubled" : "NOT doubled")}; of answer calls only: {k.LocalAnswerShareNoPreference:P0} → {k.LocalAnswerSharePreferLocal:P0}"));
        sb.AppendLine(string.Create(C, $"- accuracy kept on unseen catalogs: {k.GeneralisationAccuracyRetained:P0} (≥ 90%): {(k.GeneralisationMet ? "met" : "NOT met")}"));
        foreach (var line in SweepLines(k.Sweep)) sb.AppendLine("- " + line);
        sb.AppendLine();
        sb.AppendLine("## Calibration");
        sb.AppendLine();
        sb.Append(ExpertCalibration.Describe());
        return sb.ToString();
    }

    /// <summary>The preference-dial checks as "met" / "NOT met" lines (the report and the CLI print the same).</summary>
    public static IReadOnlyList<string> SweepLines(SweepChecks s) =>
    [
        string.Create(C, $"cost sweep: $/task non-increasing (within {PreferenceSweep.NoiseDollarsFraction:P0}): {(s.DollarsNonIncreasing ? "met" : "NOT met")}; accuracy non-increasing (within {PreferenceSweep.NoisePoints} points): {(s.AccuracyNonIncreasing ? "met" : "NOT met")}"),
        string.Create(C, $"cost weight {PreferenceSweep.DialCostWeight} vs 0: accuracy {s.DialAccuracyGapPoints:+0.0;-0.0} points (≥ −{PreferenceSweep.DialMaxLossPoints}), dollars ×{s.DialDollarsRatio:0.000} (≤ {PreferenceSweep.DialMaxDollarsRatio}): {(s.DialMet ? "met" : "NOT met")}"),
        string.Create(C, $"low-latency fastest soft profile: {s.LowLatencySeconds:0.0} s/task vs {s.FastestOtherProfile} {s.FastestOtherSeconds:0.0}: {(s.LowLatencyFastest ? "met" : "NOT met")}"),
    ];

    /// <summary>The sweep on accuracy-vs-dollars axes, one labelled point per cost weight (<see cref="Scatter(IReadOnlyList{ValueTuple{string, double, double}}, string, string)"/>).</summary>
    public static string SweepChart(IReadOnlyList<PreferenceSweepPoint> sweep) =>
        Scatter(sweep.Select(p => (string.Create(C, $"cost weight {p.CostWeight}"), (double)p.DollarsPerTask, p.Accuracy)).ToList(), "",
            "Preference dial: cost weight swept (simulated experts)");

    private static void Table(StringBuilder sb, string first, IEnumerable<(string Name, EvaluationRow Row)> rows)
    {
        sb.AppendLine($"| {first} | accuracy | $/task | s/task | turns | local calls | calls per alias (per task) |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var (name, e) in rows)
            sb.AppendLine(string.Create(C, $"| {name} | {e.Accuracy:P1} | ${e.DollarsPerTask:0.0000} | {e.SecondsPerTask:0.0} | {e.TurnsPerTask:0.00} | {e.LocalCallShare:P0} | {string.Join(" ", e.CallsPerAlias.Select(kv => string.Create(C, $"{kv.Key}:{kv.Value:0.00}")))} |"));
        sb.AppendLine();
    }

    /// <summary>Accuracy (0–100%) against dollars per task on a log axis, one labelled point per policy.</summary>
    public static string Scatter(IReadOnlyList<EvaluationRow> rows, string highlight) =>
        Scatter(rows.Select(r => (r.Policy, (double)r.DollarsPerTask, r.Accuracy)).ToList(), highlight,
            "Held-out accuracy vs dollars per task (simulated experts)");

    /// <summary>Labelled points of (dollars per task, accuracy) on the same axes; <paramref name="highlight"/> is drawn larger.</summary>
    public static string Scatter(IReadOnlyList<(string Label, double Dollars, double Accuracy)> points, string highlight, string title)
    {
        const double W = 760, H = 440, L = 70, R = 250, T = 30, B = 50;
        var dollars = points.Select(p => Math.Max(p.Dollars, 1e-6)).ToList();
        var lo = Math.Floor(Math.Log10(dollars.Min()));
        var hi = Math.Ceiling(Math.Log10(dollars.Max()));
        if (hi <= lo) hi = lo + 1;
        double X(double d) => L + (Math.Log10(Math.Max(d, 1e-6)) - lo) / (hi - lo) * (W - L - R);
        double Y(double acc) => H - B - acc * (H - T - B);
        var sb = Open(W, H);
        sb.AppendLine(string.Create(C, $"<text x=\"{W / 2 - R / 2:0}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">{Esc(title)}</text>"));
        for (var e = lo; e <= hi; e++)
        {
            var x = X(Math.Pow(10, e));
            sb.AppendLine(string.Create(C, $"<line x1=\"{x:0.#}\" y1=\"{T}\" x2=\"{x:0.#}\" y2=\"{H - B}\" stroke=\"#ddd\"/><text x=\"{x:0.#}\" y=\"{H - B + 16}\" text-anchor=\"middle\">${Math.Pow(10, e).ToString("0.######", C)}</text>"));
        }
        for (var a = 0; a <= 100; a += 20)
        {
            var y = Y(a / 100.0);
            sb.AppendLine(string.Create(C, $"<line x1=\"{L}\" y1=\"{y:0.#}\" x2=\"{W - R}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/><text x=\"{L - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{a}%</text>"));
        }
        sb.AppendLine(string.Create(C, $"<text x=\"{(L + W - R) / 2:0}\" y=\"{H - 10}\" text-anchor=\"middle\">dollars per task (log scale)</text>"));
        sb.AppendLine(string.Create(C, $"<text x=\"16\" y=\"{(T + H - B) / 2:0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(T + H - B) / 2:0})\">accuracy</text>"));
        for (var i = 0; i < points.Count; i++)
        {
            var (x, y) = (X(dollars[i]), Y(points[i].Accuracy));
            var colour = Palette[i % Palette.Length];
            var bold = points[i].Label == highlight;
            sb.AppendLine(string.Create(C, $"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"{(bold ? 7 : 5)}\" fill=\"{colour}\"><title>{Esc(points[i].Label)}</title></circle>"));
            var ly = T + 14 + i * 18;
            sb.AppendLine(string.Create(C, $"<circle cx=\"{W - R + 16}\" cy=\"{ly - 4}\" r=\"5\" fill=\"{colour}\"/><text x=\"{W - R + 26}\" y=\"{ly}\"{(bold ? " font-weight=\"bold\"" : "")}>{Esc(Short(points[i].Label))}</text>"));
        }
        return Close(sb);
    }

    /// <summary>First calls per alias per task, one stacked horizontal bar per policy, one colour per alias.</summary>
    public static string Bars(IReadOnlyList<EvaluationRow> rows)
    {
        var aliases = rows.SelectMany(r => r.CallsPerAlias.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        const double L = 250, R = 30, T = 40, Bar = 20, Gap = 8;
        var max = Math.Max(1, Math.Ceiling(rows.Max(r => r.CallsPerAlias.Values.Sum())));
        const double W = 800;
        var legendRows = (aliases.Count + 5) / 6;
        var H = T + rows.Count * (Bar + Gap) + 30 + legendRows * 18 + 10;
        double X(double v) => L + v / max * (W - L - R);
        var sb = Open(W, H);
        sb.AppendLine(string.Create(C, $"<text x=\"{W / 2:0}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">First calls per alias per task (held-out, simulated experts)</text>"));
        for (var v = 0; v <= max; v++)
            sb.AppendLine(string.Create(C, $"<line x1=\"{X(v):0.#}\" y1=\"{T - 6}\" x2=\"{X(v):0.#}\" y2=\"{T + rows.Count * (Bar + Gap)}\" stroke=\"#ddd\"/><text x=\"{X(v):0.#}\" y=\"{T - 8}\" text-anchor=\"middle\">{v}</text>"));
        for (var i = 0; i < rows.Count; i++)
        {
            var y = T + i * (Bar + Gap);
            sb.AppendLine(string.Create(C, $"<text x=\"{L - 6}\" y=\"{y + Bar * 0.7:0.#}\" text-anchor=\"end\">{Esc(Short(rows[i].Policy))}</text>"));
            var start = 0.0;
            foreach (var (alias, count) in rows[i].CallsPerAlias.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var colour = Palette[aliases.IndexOf(alias) % Palette.Length];
                sb.AppendLine(string.Create(C, $"<rect x=\"{X(start):0.#}\" y=\"{y}\" width=\"{X(start + count) - X(start):0.##}\" height=\"{Bar}\" fill=\"{colour}\"><title>{Esc(alias)}: {count:0.00}</title></rect>"));
                start += count;
            }
        }
        var legendTop = T + rows.Count * (Bar + Gap) + 24;
        for (var j = 0; j < aliases.Count; j++)
        {
            var (x, y) = (L + (j % 6) * 90, legendTop + (j / 6) * 18);
            sb.AppendLine(string.Create(C, $"<rect x=\"{x}\" y=\"{y - 10}\" width=\"10\" height=\"10\" fill=\"{Palette[j % Palette.Length]}\"/><text x=\"{x + 14}\" y=\"{y}\">{Esc(aliases[j])}</text>"));
        }
        return Close(sb);
    }

    private static StringBuilder Open(double w, double h) =>
        new StringBuilder().AppendLine(string.Create(C,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:0}\" height=\"{h:0}\" viewBox=\"0 0 {w:0} {h:0}\" font-family=\"sans-serif\" font-size=\"12\">"))
            .AppendLine(string.Create(C, $"<rect width=\"{w:0}\" height=\"{h:0}\" fill=\"white\"/>"));

    private static string Close(StringBuilder sb) => sb.AppendLine("</svg>").ToString();

    private static string Short(string policy) => policy.Length <= 38 ? policy : policy[..37] + "…";

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
