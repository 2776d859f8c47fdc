using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Cli.Tests;

/// <summary><c>orchestra eval report</c> as a user runs it, over a store filled the way the runner fills it.</summary>
public sealed class EvalReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eval-report-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<string> SeedAsync()
    {
        var path = Path.Combine(_dir, "eval.db");
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(path));
        foreach (var (run, alias, model, cost) in new[] { ("orch", "answer-4", "qwen3-32b", 0.002m), ("gpt5", "answer-1", "gpt-5", 0.02m) })
        {
            await store.BeginRunAsync(new EvalRunInfo(run, "qa", run == "gpt5" ? "direct" : "orchestrated", run, "missing-catalog.json", "train", "{}", DateTimeOffset.UnixEpoch));
            for (var t = 0; t < 4; t++)
            {
                LedgerEntry[] ledger = [new(1, CallKind.Orchestrator, "orchestrator", null, "qwen3-8b", 100, 10, 0.0001m, 0.2), new(1, CallKind.Expert, "answer", alias, model, 1000, 100, cost, 2)];
                var calls = JsonSerializer.Serialize(ledger.Select(e => new { turn = e.Turn, kind = e.Kind.ToString().ToLowerInvariant(), tool = e.Tool, alias = e.Alias, model = e.Model,
                    input_tokens = e.InputTokens, output_tokens = e.OutputTokens, cost_usd = e.CostUsd, latency_s = e.LatencySeconds, tokens_estimated = false }));
                await store.SaveSampleAsync(new EvalSample(run, $"t{t}")
                {
                    TaskId = $"t{t}", Correct = run == "gpt5" || t < 2, CostUsd = ledger.Sum(e => e.CostUsd), ToolSeconds = 2, WallSeconds = 2.5, Turns = 1, CallsJson = calls,
                });
            }
        }
        return path;
    }

    [Fact]
    public async Task Report_prints_json_and_writes_markdown_html_csv_and_json_files()
    {
        var store = await SeedAsync();
        var json = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch", "gpt5", "--json");
        json.ExitCode.Should().Be(0, json.Stderr);
        var runs = JsonNode.Parse(json.Stdout)!["runs"]!.AsArray();
        runs.Select(r => r!["run_id"]!.GetValue<string>()).Should().Equal("orch", "gpt5");
        runs[0]!["accuracy"]!.GetValue<double>().Should().Be(0.5);
        runs[1]!["dollars_per_task"]!.GetValue<decimal>().Should().Be(0.0201m);
        runs[1]!["calls_per_alias"]!["answer-1"]!.GetValue<double>().Should().Be(1);

        var outDir = Path.Combine(_dir, "report");
        var files = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch", "gpt5", "--baseline", "gpt5", "--out", outDir);
        files.ExitCode.Should().Be(0, files.Stderr);
        foreach (var name in new[] { "report.md", "report.html", "report.json", "table1.csv", "turn-limits.csv", "call-shares.csv", "cost-accuracy.csv", "comparison.csv" })
            File.Exists(Path.Combine(outDir, name)).Should().BeTrue(name);
        File.ReadAllText(Path.Combine(outDir, "report.md")).Should().Contain("## Side by side: orch against baseline gpt5");
        Directory.GetFiles(outDir, "*.tmp").Should().BeEmpty();

        var md = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch");
        md.Stdout.Should().StartWith("# Evaluation report").And.Contain("| orch | qa | orchestrated |");
    }

    [Fact]
    public async Task Report_reads_the_training_curve_that_orchestra_train_writes()
    {
        var store = await SeedAsync();
        var trainDir = Path.Combine(_dir, "train");
        var train = await OrchestraProcess.RunAsync("train", "--world", "offline", "--world-size", "small", "--steps", "2", "--group", "2", "--tasks-per-step", "2", "--out", trainDir);
        train.ExitCode.Should().Be(0, train.Stderr);
        var curve = Path.Combine(trainDir, "training.csv");

        var report = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch", "--training", curve, "--json");
        report.ExitCode.Should().Be(0, report.Stderr);
        var steps = JsonNode.Parse(report.Stdout)!["training"]![0]!["steps"]!.AsArray();
        steps.Select(s => s!["step"]!.GetValue<int>()).Should().Equal(1, 2);
        steps[1]!["kl"].Should().NotBeNull();
    }

    [Fact]
    public async Task Bad_input_gets_one_line_naming_the_place_and_the_fix()
    {
        var store = await SeedAsync();
        var unknown = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "nope");
        unknown.ExitCode.Should().Be(2);
        unknown.Stderr.Should().Contain("run 'nope' is not in").And.Contain("orch").And.NotContain("   at ");

        var missing = await OrchestraProcess.RunAsync("eval", "report", "--store", Path.Combine(_dir, "none.db"), "orch");
        missing.ExitCode.Should().Be(2);
        missing.Stderr.Should().Contain("no evaluation store there");
        File.Exists(Path.Combine(_dir, "none.db")).Should().BeFalse("a report never creates a store");

        var format = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch", "--format", "pdf");
        format.ExitCode.Should().Be(2);
        format.Stderr.Should().Contain("--format must be one of md, html, csv, json");

        var prefs = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch", "--preferences", Path.Combine(_dir, "p.json"));
        prefs.ExitCode.Should().Be(2);
        prefs.Stderr.Should().Contain("--preferences").And.Contain("file not found");

        var csv = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(csv, "step,reward\n1,0.5\n");
        var training = await OrchestraProcess.RunAsync("eval", "report", "--store", store, "orch", "--training", csv);
        training.ExitCode.Should().Be(2);
        training.Stderr.Should().Contain("the header lacks mean_reward");
    }
}
