using System.Globalization;
using System.Xml.Linq;
using ToolOrchestra.Training.Demo;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tests.Rollouts;

public sealed class DemoReportTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static EvaluationRow Row(string name, double accuracy, decimal dollars, params (string Alias, double Calls)[] calls) =>
        new(name, 10, accuracy, dollars, 10, calls.Sum(c => c.Calls), calls.ToDictionary(c => c.Alias, c => c.Calls), 0, 0);

    [Fact]
    public void The_scatter_puts_the_cheaper_and_more_accurate_policy_left_of_and_above_the_other()
    {
        var rows = new[] { Row("costly", 0.5, 0.01m), Row("good & cheap", 1.0, 0.001m) };

        var doc = XDocument.Parse(DemoReport.Scatter(rows, "good & cheap"));

        var points = doc.Descendants(Svg + "circle").Where(c => c.Element(Svg + "title") is not null)
            .ToDictionary(c => c.Element(Svg + "title")!.Value, c => (X: D(c, "cx"), Y: D(c, "cy"), R: D(c, "r")));
        points.Keys.Should().BeEquivalentTo("costly", "good & cheap");
        points["good & cheap"].X.Should().BeLessThan(points["costly"].X);
        points["good & cheap"].Y.Should().BeLessThan(points["costly"].Y, "SVG y grows downwards: higher accuracy is higher up");
        points["good & cheap"].R.Should().BeGreaterThan(points["costly"].R, "the highlighted policy stands out");
    }

    [Fact]
    public void The_bars_stack_each_policys_calls_per_alias_in_proportion()
    {
        var rows = new[] { Row("pipeline", 0.5, 0.01m, ("search-3", 1), ("answer-4", 1)), Row("alone", 0.3, 0.05m, ("answer-1", 2)) };

        var doc = XDocument.Parse(DemoReport.Bars(rows));

        var segments = doc.Descendants(Svg + "rect").Where(r => r.Element(Svg + "title") is not null)
            .Select(r => (Title: r.Element(Svg + "title")!.Value, Width: D(r, "width"))).ToList();
        segments.Should().HaveCount(3);
        var alone = segments.Single(s => s.Title.StartsWith("answer-1")).Width;
        segments.Where(s => !s.Title.StartsWith("answer-1")).Should().OnlyContain(s => Math.Abs(s.Width - alone / 2) < 0.05);
    }

    private static double D(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);
}
