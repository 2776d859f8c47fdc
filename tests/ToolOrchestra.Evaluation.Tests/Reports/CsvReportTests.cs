using CsvHelper;
using FluentAssertions;
using ToolOrchestra.Evaluation.Reports;
using static ToolOrchestra.Evaluation.Tests.Reports.SeededRuns;

namespace ToolOrchestra.Evaluation.Tests.Reports;

public class CsvReportTests
{
    [Fact]
    public async Task A_field_with_a_comma_a_quote_and_a_newline_round_trips_through_any_csv_reader()
    {
        const string orchestrator = "qwen3-8b, \"tuned\"\nv2";
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("odd", orchestrator: orchestrator));
        await store.SaveSampleAsync(Sample("odd", "t1", true, Ledger(("answer-1", "gpt-5", 0.02m, 4))));
        var report = await EvalReport.BuildAsync(store, new ReportRequest(["odd"]));

        var table = CsvReport.Tables(report)["table1.csv"];

        table.Should().Contain("\"qwen3-8b, \"\"tuned\"\"\nv2\"");
        using var csv = CsvReader.Create(new StringReader(table), new CsvReaderOptions(), leaveOpen: false);
        csv.ReadHeader();
        csv.Read().Should().BeTrue();
        csv.GetString("orchestrator").Should().Be(orchestrator);
        csv.GetString("run_id").Should().Be("odd");
        csv.Read().Should().BeFalse();
    }
}
