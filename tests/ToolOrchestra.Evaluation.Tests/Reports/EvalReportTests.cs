using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;
using static ToolOrchestra.Evaluation.Tests.Reports.SeededRuns;

namespace ToolOrchestra.Evaluation.Tests.Reports;

public class EvalReportTests
{
    private static Preferences Weights(params (string Key, double Weight)[] w) => new(w.ToDictionary(x => x.Key, x => x.Weight), [], []);

    [Fact]
    public async Task Table_1_counts_each_sample_once_failed_samples_as_errors_and_calls_per_alias_and_model()
    {
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        await store.SaveSampleAsync(Sample("cheap", "t4", null, [], SampleStatus.Failed, "endpoint_error: 503 again") with { Attempts = 4 }); // a retry is the same sample

        var report = await EvalReport.BuildAsync(store, new ReportRequest(["strong", "cheap"]));

        var strong = report.Runs[0];
        strong.Samples.Should().Be(3);
        strong.Errors.Should().Be(0);
        strong.Accuracy.Should().BeApproximately(2 / 3.0, 1e-12);
        strong.DollarsPerTask.Should().Be(0.0238333333m, "(0.0302 + 0.0201 + 0.0212) / 3, orchestrator generations included");
        strong.SecondsPerTask.Should().Be(5, "tool seconds 6 + 4 + 5 over 3 tasks; orchestrator generations are not tool calls");
        strong.TurnsPerTask.Should().BeApproximately(5 / 3.0, 1e-12);
        strong.CallsPerAlias.Should().Equal(new Dictionary<string, double> { ["search-1"] = 1 / 3.0, ["answer-1"] = 1, ["search-3"] = 1 / 3.0 });
        strong.CallsPerModel.Should().Equal(new Dictionary<string, double> { ["gpt-5"] = 4 / 3.0, ["qwen3-32b"] = 1 / 3.0 });
        strong.CallsPerAlias.Keys.Should().Equal(["search-1", "answer-1", "search-3"], "in the order the run first called them");

        var cheap = report.Runs[1];
        cheap.Samples.Should().Be(4);
        cheap.Errors.Should().Be(1);
        cheap.ErrorsByKind.Should().Equal(new Dictionary<string, int> { ["endpoint_error"] = 1 });
        cheap.Accuracy.Should().Be(0.25, "the failed sample counts as wrong");
        cheap.DollarsPerTask.Should().Be(0.00185m);
        cheap.Simulated.Should().BeFalse();
    }

    [Fact]
    public async Task Two_search_turns_count_two_calls_to_the_search_alias_and_the_two_retrievals_apart()
    {
        // As the engine books a search turn: the orchestrator's generation, the expert writing the query, the retrieval.
        LedgerEntry Retrieval(int turn) => new(turn, CallKind.Search, "search", "search-2", null, 0, 0, 0.0005m, 0.1);
        var ledger = new List<LedgerEntry>(Ledger(("search-2", "qwen3-32b", 0.001m, 1), ("search-2", "qwen3-32b", 0.001m, 1), ("answer-1", "gpt-5", 0.02m, 4)));
        ledger.Insert(2, Retrieval(1));
        ledger.Insert(5, Retrieval(2));
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("searcher"));
        await store.SaveSampleAsync(Sample("searcher", "t1", true, ledger));

        var report = await EvalReport.BuildAsync(store, new ReportRequest(["searcher"]));

        var run = report.Runs.Single();
        run.CallsPerAlias.Should().Equal(new Dictionary<string, double> { ["search-2"] = 2, ["answer-1"] = 1 });
        run.CallsPerModel.Should().Equal(new Dictionary<string, double> { ["qwen3-32b"] = 2, ["gpt-5"] = 1 });
        run.ToolExecutionsPerTask.Should().Equal(new Dictionary<string, double> { ["search"] = 2 });
        run.ToolCallsPerTask.Should().Be(3);
        var shares = report.CallShares.Single();
        shares.Aliases.Select(a => (a.Name, a.Calls)).Should().Equal(("search-2", 2L), ("answer-1", 1L));
        shares.Aliases[0].Fraction.Should().BeApproximately(2 / 3.0, 1e-12);
        shares.Tools.Select(t => (t.Name, t.Calls)).Should().Equal(("search", 2L), ("answer", 1L));
        shares.Executions.Select(e => (e.Name, e.Calls, e.Fraction)).Should().Equal(("search", 2L, 1.0));
        shares.Steps.Should().Be(3);
    }

    [Fact]
    public async Task Call_shares_keep_call_order_and_the_strongest_model_is_the_catalogs_highest_priced()
    {
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        var report = await EvalReport.BuildAsync(store, new ReportRequest(["strong", "cheap"]));

        var strong = report.CallShares[0];
        strong.Aliases.Select(a => (a.Name, a.Calls)).Should().Equal(("search-1", 1L), ("answer-1", 3L), ("search-3", 1L));
        strong.Tools.Select(a => a.Name).Should().Equal("search", "answer");
        strong.Models.Sum(m => m.Fraction).Should().BeApproximately(1, 1e-12);
        strong.StrongestModel.Should().Be("gpt-5", "catalog.sim.json prices gpt-5 highest ($10 per million out); the orchestrator's qwen3-8b is excluded");
        (strong.StrongestSteps, strong.Steps).Should().Be((4L, 5L), "gpt-5 served both turns of t1, t2's only turn and t3's second");
        strong.StrongestStepShare.Should().Be(0.8);
        report.CallShares[1].StrongestStepShare.Should().Be(0);

        var named = await EvalReport.BuildAsync(store, new ReportRequest(["strong"]) { Strongest = "qwen3-32b" });
        named.CallShares[0].StrongestStepShare.Should().Be(0.2);
        named.CallShares[0].StrongestModelRule.Should().Contain("--strongest");
    }

    [Fact]
    public async Task Without_its_catalog_the_strongest_model_is_the_one_with_the_highest_observed_price_per_token()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("moved", config: "/nowhere/catalog.json"));
        await store.SaveSampleAsync(Sample("moved", "t1", true, Ledger(("search-3", "qwen3-32b", 0.001m, 1), ("answer-1", "gpt-5", 0.02m, 4))));
        var report = await EvalReport.BuildAsync(store, new ReportRequest(["moved"]));
        report.CallShares[0].StrongestModel.Should().Be("gpt-5");
        report.CallShares[0].StrongestModelRule.Should().Contain("observed");
    }

    [Fact]
    public async Task An_offline_run_is_judged_against_the_simulated_catalog_even_when_it_never_called_the_priciest_model()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("offline", config: ToolOrchestra.Evaluation.Harness.EvalRunner.BuiltInCatalog));
        await store.SaveSampleAsync(Sample("offline", "t1", true, Ledger(("search-2", "gpt-5-mini", 0.001m, 1), ("answer-2", "gpt-5-mini", 0.002m, 2))));
        var report = await EvalReport.BuildAsync(store, new ReportRequest(["offline"]));
        report.CallShares[0].StrongestModel.Should().Be("gpt-5", "the simulated catalog prices gpt-5 highest; the run only called gpt-5-mini");
        report.CallShares[0].StrongestStepShare.Should().Be(0);
    }

    [Fact]
    public async Task Turn_limit_sweep_counts_a_sample_correct_only_within_k_turns_and_costs_only_its_first_k_turns()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("long", maxTurns: 50));
        var twelve = Enumerable.Range(0, 12).Select(_ => ("search-3", "qwen3-32b", 0.001m, 1.0)).ToArray();
        await store.SaveSampleAsync(Sample("long", "a", true, Ledger(twelve)));
        await store.SaveSampleAsync(Sample("long", "b", true, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))));

        var sweep = (await EvalReport.BuildAsync(store, new ReportRequest(["long"]))).TurnLimits.Single();

        sweep.Points.Select(p => p.MaxTurns).Should().Equal(10, 20, 50, 100);
        sweep.Points[0].Accuracy.Should().Be(0.5, "sample a answered at turn 12");
        sweep.Points[1].Accuracy.Should().Be(1);
        sweep.Points[0].DollarsPerTask.Should().Be((10 * 0.0011m + 0.0021m) / 2, "a's first 10 turns, b whole");
        sweep.Points[1].DollarsPerTask.Should().Be((12 * 0.0011m + 0.0021m) / 2);
        sweep.Points[0].SecondsPerTask.Should().Be((10 + 1) / 2.0, "tool seconds only");
        sweep.Points.Select(p => p.BeyondRunLimit).Should().Equal(false, false, false, true);
        sweep.LongestSample.Should().Be(12);
    }

    [Fact]
    public async Task Pareto_frontier_keeps_runs_no_other_run_beats_on_both_dollars_and_accuracy()
    {
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        await store.BeginRunAsync(Run("dominated"));
        await store.SaveSampleAsync(Sample("dominated", "t1", false, Ledger(("answer-1", "gpt-5", 0.05m, 4))));
        var points = (await EvalReport.BuildAsync(store, new ReportRequest(["strong", "cheap", "dominated"]))).CostAccuracy;
        points.Select(p => (p.RunId, p.OnFrontier)).Should().Equal(("cheap", true), ("strong", true), ("dominated", false));
    }

    [Fact]
    public async Task Preference_adherence_scores_each_tasks_trajectories_across_runs_with_the_training_reward()
    {
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        var request = new ReportRequest(["strong", "cheap"])
        {
            Preferences = [("cost", "cost.json", Weights(("cost", 1))), ("accuracy", "acc.json", Weights(("accuracy", 1))),
                ("local", "local.json", Weights(("search-3", 1), ("answer-1", -1)))],
        };
        var adherence = (await EvalReport.BuildAsync(store, request)).Preferences;

        var cost = adherence[0].Runs;
        cost.Select(r => r.RunId).Should().Equal("strong", "cheap");
        cost[1].MeanReward.Should().BeApproximately(1 / 3.0, 1e-12, "cheap is the cheaper solver of t1 and solves nothing else");
        cost[0].MeanReward.Should().Be(0);
        (cost[1].Trajectories, cost[1].Skipped).Should().Be((3, 1), "the failed t4 has nothing to score");
        var accuracy = adherence[1].Runs;
        accuracy[0].MeanReward.Should().BeApproximately(1 / 3.0, 1e-12, "only strong solves t2");
        accuracy[1].MeanReward.Should().Be(0);
        adherence[2].Runs[0].PreferredCallShare.Should().Be(0.2);
        adherence[2].Runs[0].AvoidedCallShare.Should().Be(0.6);
    }

    [Fact]
    public async Task A_rerun_beside_its_baseline_gives_deltas_verdict_changes_and_the_catalogs_unseen_and_repriced_models()
    {
        var dir = Directory.CreateTempSubdirectory("report-catalog").FullName;
        var repriced = Path.Combine(dir, "catalog.repriced.json");
        var json = File.ReadAllText(SimCatalog).Replace("\"output_per_million\": 10", "\"output_per_million\": 20", StringComparison.Ordinal);
        File.WriteAllText(repriced, json);
        json.Should().Contain("\"output_per_million\": 20");
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        await store.BeginRunAsync(Run("strong-repriced", config: repriced));
        await store.SaveSampleAsync(Sample("strong-repriced", "t1", true, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))));
        await store.SaveSampleAsync(Sample("strong-repriced", "t2", false, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))));
        await store.SaveSampleAsync(Sample("strong-repriced", "t3", true, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))));

        var report = await EvalReport.BuildAsync(store, new ReportRequest(["strong-repriced"]) { Baseline = "strong" });

        report.Runs.Select(r => r.RunId).Should().Equal(["strong", "strong-repriced"], "the baseline is reported too");
        var c = report.Comparisons.Single();
        c.Metrics.Single(m => m.Metric == "accuracy").Delta.Should().BeApproximately(0, 1e-12);
        c.Metrics.Single(m => m.Metric == "dollars_per_task").Delta.Should().BeApproximately(0.0021 - 0.0238333333, 1e-9);
        c.CallsPerAlias.Single(m => m.Metric == "answer-1").Delta.Should().Be(-1);
        (c.SharedSamples, c.BothCorrect, c.NewlyCorrect, c.NewlyWrong, c.BothWrong).Should().Be((3, 1, 1, 1, 0));
        c.RepricedModels.Should().ContainSingle().Which.Should().StartWith("gpt-5: $1.25/10 → $1.25/20");
        c.UnseenModels.Should().BeEmpty();
    }

    [Fact]
    public async Task Unknown_runs_are_refused_naming_the_runs_the_store_holds()
    {
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        await FluentActions.Awaiting(() => EvalReport.BuildAsync(store, new ReportRequest(["nope"])))
            .Should().ThrowAsync<UserError>().WithMessage("*'nope' is not in*holds cheap, strong*");
    }

    [Fact]
    public async Task Sqlite_and_postgres_stores_give_the_same_report()
    {
        await using var pg = await LocalPostgres.StartAsync();
        var outputs = new List<string>();
        foreach (var location in new[] { StoreLocation.Parse(Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.db")), StoreLocation.Parse(pg.Url()) })
        {
            await using var store = await EvalStore.OpenAsync(location);
            await SeedTwoRunsAsync(store);
            var report = await EvalReport.BuildAsync(store, new ReportRequest(["strong", "cheap"]) { Preferences = [("cost", "cost.json", Weights(("cost", 1)))] });
            outputs.Add(JsonReport.Write(report with { Store = "" }));
        }
        outputs[1].Should().Be(outputs[0]);
    }

    [Fact]
    public async Task Json_output_has_the_documented_fields_and_every_writer_covers_every_run()
    {
        await using var store = await SqliteAsync();
        await SeedTwoRunsAsync(store);
        var report = await EvalReport.BuildAsync(store, new ReportRequest(["strong", "cheap"]));

        using var doc = JsonDocument.Parse(JsonReport.Write(report));
        var run = doc.RootElement.GetProperty("runs")[0];
        foreach (var field in new[] { "run_id", "benchmark", "setup", "orchestrator", "samples", "errors", "accuracy", "dollars_per_task", "seconds_per_task",
                     "wall_seconds_per_task", "turns_per_task", "calls_per_alias", "calls_per_model" })
            run.TryGetProperty(field, out _).Should().BeTrue(field);
        run.GetProperty("calls_per_alias").GetProperty("answer-1").GetDouble().Should().Be(1);
        doc.RootElement.GetProperty("turn_limit_note").GetString().Should().Contain("never shows the limit");

        var md = MarkdownReport.Write(report);
        md.Should().Contain("| strong | qa | orchestrated | qwen3-8b | 3 | 66.7% | $0.0238 |").And.Contain("| cheap | qa | orchestrated | heuristic | 4 | 25.0% |")
            .And.Contain("1 (endpoint_error 1)").And.Contain("never shows the limit");
        var csv = CsvReport.Tables(report);
        csv["table1.csv"].Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(3);
        csv["table1.csv"].Should().Contain("strong,qa,orchestrated,qwen3-8b,false,3,3,0,2,");
        csv["call-shares.csv"].Should().Contain("strong,alias,answer-1,3,0.6,2");
        var html = HtmlReport.Write(report);
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<svg").And.NotContain("<script").And.NotContain("src=\"http");
    }

    [Fact]
    public async Task Offline_runs_are_labelled_simulated_everywhere_a_user_reads_them()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("sim", benchmark: "offline"));
        await store.SaveSampleAsync(Sample("sim", "t1", true, Ledger(("answer-4", "qwen3-32b", 0.002m, 1))) with { VerdictSource = "simulated" });
        var report = await EvalReport.BuildAsync(store, new ReportRequest(["sim"]));
        report.Simulated.Should().BeTrue();
        MarkdownReport.Write(report).Should().Contain("SIMULATED").And.Contain("sim (simulated)");
        HtmlReport.Write(report).Should().Contain("SIMULATED");
    }
}
