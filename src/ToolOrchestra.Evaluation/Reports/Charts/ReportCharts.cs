using System.Globalization;

namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>The report's charts as inline SVG, by the id of the section they belong to.</summary>
internal static class ReportCharts
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Of(EvalReport report)
    {
        var charts = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (report.TurnLimits.Count > 0)
        {
            var limits = report.TurnLimits[0].Points.Select(p => (double)p.MaxTurns).ToList();
            charts["turn-limits"] =
            [
                LineChart.Render("Accuracy within k turns", "turn limit k", "accuracy",
                    report.TurnLimits.Select(s => new Series(s.RunId, s.Points.Select(p => ((double)p.MaxTurns, p.Accuracy)).ToList())).ToList(),
                    Integer, Percent, limits),
                LineChart.Render("Dollars per task within k turns", "turn limit k", "$ per task",
                    report.TurnLimits.Select(s => new Series(s.RunId, s.Points.Select(p => ((double)p.MaxTurns, (double)p.DollarsPerTask)).ToList())).ToList(),
                    Integer, Dollars, limits),
            ];
        }
        if (report.CallShares.Any(c => c.ToolCalls > 0))
            charts["call-shares"] =
            [
                Bars("Tool calls per tool (stacked in call order)", report.CallShares, c => c.Tools),
                Bars("Tool calls per alias (stacked in call order)", report.CallShares, c => c.Aliases),
                Bars("Tool calls per model (stacked in call order)", report.CallShares, c => c.Models),
            ];
        if (report.CostAccuracy.Count > 0)
            charts["cost-accuracy"] =
            [
                ScatterChart.Render("Accuracy against dollars per task", "$ per task", "accuracy",
                    report.CostAccuracy.Select(p => new ScatterPoint(p.RunId, (double)p.DollarsPerTask, p.Accuracy, p.OnFrontier)).ToList(),
                    Dollars, Percent, "Pareto frontier"),
            ];
        for (var i = 0; i < report.Training.Count; i++)
            charts[$"training-{i + 1}"] = Training(report.Training[i]);
        return charts;
    }

    private static IReadOnlyList<string> Training(TrainingCurve t)
    {
        string Curve(string title, string axis, Func<TrainingStep, double> value, Func<double, string> format, bool fromZero = true) =>
            LineChart.Render($"{title} per GRPO step", "step", axis, [new Series(t.Name, t.Steps.Select(s => ((double)s.Step, value(s))).ToList())],
                Integer, format, width: 480, plotHeight: 180, yFromZero: fromZero);
        return
        [
            Curve("Mean reward", "mean reward", s => s.MeanReward, v => v.ToString("0.###", CultureInfo.InvariantCulture), fromZero: false),
            Curve("Accuracy", "accuracy", s => s.Accuracy, Percent),
            Curve("Dollars", "$ per episode", s => s.DollarsPerEpisode, Dollars),
            Curve("Seconds", "s per episode", s => s.SecondsPerEpisode, v => v.ToString("0.#", CultureInfo.InvariantCulture)),
            Curve("Loss", "loss", s => s.Loss, v => v.ToString("0.###", CultureInfo.InvariantCulture), fromZero: false),
            Curve("KL", "KL", s => s.Kl, v => v.ToString("0.#####", CultureInfo.InvariantCulture)),
            Curve("Clip fraction", "clip fraction", s => s.ClipFraction, v => v.ToString("0.###", CultureInfo.InvariantCulture)),
        ];
    }

    private static string Bars(string title, IReadOnlyList<CallShares> runs, Func<CallShares, IReadOnlyList<Share>> pick)
    {
        // One category order for all bars: the order in which the reported runs first called them.
        var order = new List<string>();
        foreach (var s in runs.SelectMany(pick)) if (!order.Contains(s.Name)) order.Add(s.Name);
        return StackedBarChart.Render(title, runs.Select(r => new StackedBar(r.RunId, pick(r).ToDictionary(s => s.Name, s => s.Fraction))).ToList(), order);
    }

    private static string Integer(double v) => v.ToString("0", CultureInfo.InvariantCulture);
    private static string Percent(double v) => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
    private static string Dollars(double v) => "$" + v.ToString(v != 0 && Math.Abs(v) < 0.01 ? "0.0000##" : "0.00##", CultureInfo.InvariantCulture);
}
