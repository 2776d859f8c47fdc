using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

public sealed class Tau2CommandTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("tau2-cli").FullName;
    private static readonly string DataDir = SharedData.File("tau2", "data");

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Check_gold_prints_the_issue_json_shape()
    {
        var r = await OrchestraProcess.RunAsync("tau2", "check-gold", "--data-dir", DataDir, "--domain", "airline", "--json");
        r.ExitCode.Should().Be(0, r.Stderr);
        var o = JsonNode.Parse(r.Stdout)!;
        (o["domain"]!.GetValue<string>(), o["tasks"]!.GetValue<int>(), o["passed"]!.GetValue<int>()).Should().Be(("airline", 50, 50));
        o["failed"]!.AsArray().Should().BeEmpty();
        o["not_evaluated"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Rescore_and_report_take_many_files_and_patterns_in_one_process()
    {
        var sims = SharedData.File("tau2-sims");
        var pattern = Path.Combine(sims, "E1*_fork_*.json");
        var expected = Directory.GetFiles(sims, "E1*_fork_*.json").Order(StringComparer.Ordinal).ToList();
        expected.Should().HaveCountGreaterThan(1);

        var rescore = await OrchestraProcess.RunAsync("tau2", "rescore", "--data-dir", DataDir, "--results", pattern, expected[0], "--json");

        rescore.ExitCode.Should().Be(0, rescore.Stderr);
        var files = JsonNode.Parse(rescore.Stdout)!.AsArray();
        files.Select(f => f!["file"]!.GetValue<string>()).Should().Equal(expected, "a file named twice is re-scored once");
        files.Should().OnlyContain(f => f!["simulations"]!.GetValue<int>() > 0);
        var report = await OrchestraProcess.RunAsync("tau2", "report", "--results", pattern, "--json");
        report.ExitCode.Should().Be(0, report.Stderr);
        JsonNode.Parse(report.Stdout)!.AsArray().Should().NotBeEmpty();
        var none = await OrchestraProcess.RunAsync("tau2", "report", "--results", Path.Combine(sims, "nothing-*.json"));
        none.ExitCode.Should().Be(2);
        none.Stderr.Should().Contain("nothing-*.json: no file matches");
    }

    [Fact]
    public async Task Run_writes_an_upstream_results_file_that_report_reads()
    {
        var catalog = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(catalog, $$$$"""
            {"orchestrator":{"model":"agent"},
             "models":{"agent":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"agent-model","price":{"input_per_million":1,"output_per_million":2}},
                       "user":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"user-model","price":{"input_per_million":1,"output_per_million":1}}},
             "limits":{"max_retries":0}}
            """);
        _server.Script("user-model", new FakeReply("Create a task 'Important Meeting' for user_1."), new FakeReply("Thanks ###STOP###"));
        _server.Script("agent-model", FakeReply.Call("create_task", new { user_id = "user_1", title = "Important Meeting" }, 1000, 100),
            new FakeReply("Created your task.", PromptTokens: 1000, CompletionTokens: 100));
        var results = Path.Combine(_dir, "results.json");

        var r = await OrchestraProcess.RunAsync("tau2", "run", "--config", catalog, "--data-dir", DataDir, "--domain", "mock",
            "--task-ids", "create_task_1", "--agent", "plain", "--user-model", "user", "--out", results, "--json");

        r.ExitCode.Should().Be(0, r.Stderr);
        var o = JsonNode.Parse(r.Stdout)!;
        o["simulations"]!.GetValue<int>().Should().Be(1);
        o["pass_hat_k"]!["pass^1"]!.GetValue<double>().Should().Be(1.0);
        var report = await OrchestraProcess.RunAsync("tau2", "report", "--results", results, "--json");
        report.ExitCode.Should().Be(0, report.Stderr);
        var sim = JsonNode.Parse(File.ReadAllText(results))!["simulations"]![0]!;
        sim["agent_cost"]!.GetValue<double>().Should().BeApproximately(2 * (1000 * 1e-6 + 100 * 2e-6), 1e-12);
        sim["termination_reason"]!.GetValue<string>().Should().Be("user_stop");
    }

    [Fact]
    public async Task A_run_killed_mid_way_resumes_with_the_same_results_path_and_refuses_other_settings()
    {
        var catalog = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(catalog, $$$$"""
            {"orchestrator":{"model":"agent"},
             "models":{"agent":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"agent-model","price":{"input_per_million":1,"output_per_million":2}},
                       "user":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"user-model","price":{"input_per_million":1,"output_per_million":1}}},
             "limits":{"max_retries":0}}
            """);
        var delay = TimeSpan.FromMilliseconds(60);
        _server.Fallback = q => q.Model == "user-model" && q.Body["messages"]!.AsArray().Count > 2
            ? FakeReply.Slow(delay, new FakeReply("Thanks ###STOP###"))
            : FakeReply.Slow(delay, new FakeReply(q.Model == "user-model" ? "Please create a task for user_1." : "Done."));
        var results = Path.Combine(_dir, "results.json");
        var sidecar = results + ".partial.jsonl";
        string[] Run(string trials) => ["tau2", "run", "--config", catalog, "--data-dir", DataDir, "--domain", "mock", "--agent", "plain",
            "--user-model", "user", "--trials", trials, "--concurrency", "2", "--out", results];

        var first = OrchestraProcess.Start(Run("3"));
        await OrchestraProcess.KillWhenAsync(first, () => File.Exists(sidecar) && File.ReadAllLines(sidecar).Length >= 3);
        var finished = File.ReadAllLines(sidecar).Skip(1).Where(l => l.EndsWith('}')).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<string>()).ToList();
        var other = await OrchestraProcess.RunAsync(Run("2"));
        var rerun = await OrchestraProcess.RunAsync(Run("3"));

        finished.Should().NotBeEmpty().And.HaveCountLessThan(30, "the kill came mid-run");
        other.ExitCode.Should().Be(2);
        other.Stderr.Trim().Should().Be($"error: {sidecar}: was made with --trials 3, not 2; rerun with the same settings to resume it, or choose another --out.");
        rerun.ExitCode.Should().Be(0, rerun.Stderr);
        rerun.Stderr.Should().Contain($"Resuming {results}: {finished.Count} simulations already finished.");
        rerun.Stderr.Split('\n').Count(l => l.StartsWith("  task ")).Should().Be(30 - finished.Count, "finished pairs are not run again");
        File.Exists(sidecar).Should().BeFalse("the sidecar is folded into the results file");
        var sims = JsonNode.Parse(File.ReadAllText(results))!["simulations"]!.AsArray();
        sims.Select(x => (x!["task_id"]!.GetValue<string>(), x["trial"]!.GetValue<int>())).Should().OnlyHaveUniqueItems().And.HaveCount(30);
        sims.Select(x => x!["id"]!.GetValue<string>()).Should().Contain(finished, "what finished before the kill is kept");
        var again = await OrchestraProcess.RunAsync(Run("3"));
        again.ExitCode.Should().Be(0, again.Stderr);
        again.Stderr.Should().Contain("30 simulations already finished");
        JsonNode.Parse(File.ReadAllText(results))!["simulations"]!.AsArray().Should().HaveCount(30, "a finished results file is resumed, not overwritten");
    }
}
