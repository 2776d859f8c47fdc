using System.Text.Json.Nodes;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// <c>orchestra eval run/merge</c> as a user runs them, against a fake OpenAI-compatible server: a run killed with
/// kill -9 half way and rerun ends with every sample exactly once; shard stores merge; bad input and a spent error
/// budget exit with 2 and 1 and say why.
/// </summary>
public sealed class EvalCommandTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("eval-cli").FullName;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = request =>
        {
            var delay = TimeSpan.FromMilliseconds(60);
            if (request.LastUserText.Contains("FAIL", StringComparison.Ordinal)) return FakeReply.Error(500);
            if (request.ToolNames.Count > 0) return FakeReply.Slow(delay, FakeReply.Call("answer", new { model = "answer-1" }));
            return FakeReply.Slow(delay, new FakeReply("<answer>4</answer>"));
        };
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private (string Catalog, string Tasks) Inputs(int tasks, int failing = 0)
    {
        var catalog = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(catalog, $$$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.2}},
                       "gpt-5":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"},
             "limits":{"max_retries":0,"max_turns":3}}
            """);
        var path = Path.Combine(_dir, $"tasks-{tasks}-{failing}.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, tasks).Select(i =>
            $$"""{"id":"t{{i:00}}","question":"What is 2+2? ({{(i <= failing ? "FAIL" : "ok")}} {{i}})","answer":"{{(i % 3 == 0 ? "5" : "4")}}"}"""));
        return (catalog, path);
    }

    private static string[] Eval(string catalog, string tasks, string store, params string[] more) =>
        ["eval", "run", "--benchmark", "qa", "--tasks", tasks, "--config", catalog, "--store", store, "--run-id", "r", "--no-code", .. more];

    private static async Task<IReadOnlyList<EvalSample>> SamplesAsync(string store)
    {
        await using var s = await EvalStore.OpenAsync(StoreLocation.Parse(store));
        return await s.LoadSamplesAsync("r");
    }

    private static int Count(string store)
    {
        if (!File.Exists(store)) return 0;
        try { return SamplesAsync(store).GetAwaiter().GetResult().Count; }
        catch (Exception) { return 0; } // the child may still be creating the schema
    }

    [Fact]
    public async Task A_run_killed_half_way_and_rerun_has_every_sample_exactly_once()
    {
        var (catalog, tasks) = Inputs(16);
        var store = Path.Combine(_dir, "killed.db");
        var first = OrchestraProcess.Start(Eval(catalog, tasks, store, "--concurrency", "2"));
        await OrchestraProcess.KillWhenAsync(first, () => Count(store) >= 4);
        var beforeKill = (await SamplesAsync(store)).Count;
        beforeKill.Should().BeInRange(4, 15, "the kill came mid-run");

        var rerun = await OrchestraProcess.RunAsync(Eval(catalog, tasks, store, "--concurrency", "2", "--json"));
        rerun.ExitCode.Should().Be(0, rerun.Stderr);
        var summary = JsonNode.Parse(rerun.Stdout)!;
        summary["skipped_done"]!.GetValue<int>().Should().Be(beforeKill);
        summary["ran"]!.GetValue<int>().Should().Be(16 - beforeKill);
        var samples = await SamplesAsync(store);
        samples.Select(s => s.SampleId).Should().OnlyHaveUniqueItems().And.HaveCount(16);
        samples.Should().OnlyContain(s => s.Status == SampleStatus.Done && s.Attempts == 1);
        samples.Count(s => s.Correct == true).Should().Be(11, "the tasks whose gold is 5 are wrong, the rest right");
        summary["accuracy"]!.GetValue<double>().Should().BeApproximately(11 / 16.0, 1e-9);
    }

    [Fact]
    public async Task Shards_run_as_a_slurm_array_and_merge_into_the_unsharded_result()
    {
        var (catalog, tasks) = Inputs(8);
        var whole = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "whole.db"), "--json"));
        whole.ExitCode.Should().Be(0, whole.Stderr);
        var shards = new List<string>();
        for (var i = 1; i <= 2; i++)
        {
            var shard = Path.Combine(_dir, $"s{i}.db");
            var r = await OrchestraProcess.RunAsync(Eval(catalog, tasks, shard, "--shard", $"{i}/2", "--json"));
            r.ExitCode.Should().Be(0, r.Stderr);
            JsonNode.Parse(r.Stdout)!["shard"]!.GetValue<string>().Should().Be($"{i}/2");
            shards.Add(shard);
        }
        var merged = Path.Combine(_dir, "merged.db");
        var m = await OrchestraProcess.RunAsync(["eval", "merge", "--into", merged, .. shards, "--json"]);
        m.ExitCode.Should().Be(0, m.Stderr);
        JsonNode.Parse(m.Stdout)!["samples"]!.GetValue<int>().Should().Be(8);
        static string Key(EvalSample s) => $"{s.SampleId}|{s.Status}|{s.Answer}|{s.Correct}|{s.CostUsd}|{s.Turns}";
        (await SamplesAsync(merged)).Select(Key).Should().Equal((await SamplesAsync(Path.Combine(_dir, "whole.db"))).Select(Key));

        var again = await OrchestraProcess.RunAsync(["eval", "merge", "--into", Path.Combine(_dir, "bad.db"), shards[0], Path.Combine(_dir, "whole.db")]);
        again.ExitCode.Should().Be(2, "the same samples run twice (other seconds) conflict");
        again.Stderr.Should().Contain("differs between");
    }

    [Fact]
    public async Task A_spent_error_budget_exits_1_with_a_summary_and_a_rerun_resumes()
    {
        var (catalog, tasks) = Inputs(5, failing: 2);
        var store = Path.Combine(_dir, "errors.db");
        var r = await OrchestraProcess.RunAsync(Eval(catalog, tasks, store, "--max-error-rate", "0.25", "--concurrency", "1"));
        r.ExitCode.Should().Be(1, r.Stderr);
        r.Stderr.Should().Contain("samples failed").And.Contain("--max-error-rate 0.25").And.Contain("rerun the same command");
        var ok = await OrchestraProcess.RunAsync(Eval(catalog, tasks, store, "--max-error-rate", "0.5", "--json"));
        ok.ExitCode.Should().Be(0, ok.Stderr);
        (await SamplesAsync(store)).Should().HaveCount(5);
    }

    [Fact]
    public async Task A_second_run_through_a_warm_response_cache_makes_no_request_and_scores_the_same()
    {
        var (catalog, tasks) = Inputs(6);
        var cache = Path.Combine(_dir, "responses.db");
        var cold = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "cold.db"), "--cache", cache, "--json"));
        cold.ExitCode.Should().Be(0, cold.Stderr);
        var requests = _server.Requests.Count;
        requests.Should().BeGreaterThan(0);
        var coldCache = JsonNode.Parse(cold.Stdout)!["cache"]!;
        coldCache["hits"]!.GetValue<long>().Should().Be(0);
        coldCache["misses"]!.GetValue<long>().Should().Be(requests);

        var warm = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "warm.db"), "--cache", cache, "--json"));
        warm.ExitCode.Should().Be(0, warm.Stderr);
        _server.Requests.Should().HaveCount(requests, "every model call was replayed from the cache");
        var warmCache = JsonNode.Parse(warm.Stdout)!["cache"]!;
        (warmCache["hits"]!.GetValue<long>(), warmCache["misses"]!.GetValue<long>(), warmCache["paid_usd"]!.GetValue<decimal>())
            .Should().Be((requests, 0L, 0m));
        warmCache["saved_usd"]!.GetValue<decimal>().Should().Be(coldCache["paid_usd"]!.GetValue<decimal>()).And.BeGreaterThan(0);
        static string Scored(EvalSample s) => $"{s.SampleId}|{s.Answer}|{s.Correct}|{s.Reward}|{s.CostUsd}|{s.ToolSeconds}|{s.Turns}";
        (await SamplesAsync(Path.Combine(_dir, "warm.db"))).Select(Scored).Should().Equal((await SamplesAsync(Path.Combine(_dir, "cold.db"))).Select(Scored));

        var text = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "text.db"), "--cache", cache));
        text.ExitCode.Should().Be(0, text.Stderr);
        text.Stdout.Should().Contain($"Response cache {cache}: {requests} hits, 0 misses; paid $0, saved $");
    }

    [Fact]
    public async Task A_cache_that_cannot_be_opened_exits_2_in_one_line_before_any_call()
    {
        var (catalog, tasks) = Inputs(2);
        var garbage = Path.Combine(_dir, "garbage.db");
        File.WriteAllText(garbage, new string('x', 4096));
        var r = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "g.db"), "--cache", garbage));
        r.ExitCode.Should().Be(2, r.Stderr);
        r.Stderr.Trim().Should().StartWith("error: --cache").And.NotContain("\n").And.NotContain("   at ");
        r.Stderr.Trim().Split('\n').Should().ContainSingle();
        _server.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("--shard", "3/2", "--shard must be i/N")]
    [InlineData("--setup", "alone", "--setup must be direct")]
    [InlineData("--benchmark", "mmlu", "--benchmark must be one of")]
    [InlineData("--max-error-rate", "2", "--max-error-rate must be between 0 and 1")]
    [InlineData("--orchestrator", "nobody", "--orchestrator 'nobody' is not a model")]
    public async Task Bad_options_exit_2_naming_the_fix(string option, string value, string message)
    {
        var (catalog, tasks) = Inputs(2);
        var args = Eval(catalog, tasks, Path.Combine(_dir, "bad.db")).ToList();
        var at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var r = await OrchestraProcess.RunAsync([.. args]);
        r.ExitCode.Should().Be(2, r.Stderr);
        r.Stderr.Should().Contain(message).And.NotContain("   at ");
    }

    [Fact]
    public async Task A_broken_task_file_exits_2_naming_file_and_line()
    {
        var (catalog, _) = Inputs(1);
        var tasks = Path.Combine(_dir, "broken.jsonl");
        File.WriteAllText(tasks, "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}\n{\"id\":\"b\",\"question\":\"q\"}\n");
        var r = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "b.db")));
        r.ExitCode.Should().Be(2);
        r.Stderr.Should().Contain("broken.jsonl:2").And.Contain("\"answer\"");
    }

    [Theory]
    [InlineData("a lone surrogate escape", new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "$.question is not valid Unicode")]
    [InlineData("a raw 0xFF byte", new byte[] { 0xFF }, "not UTF-8 text")]
    public async Task Invalid_unicode_in_a_task_file_exits_2_naming_file_and_line(string what, byte[] bad, string message)
    {
        var (catalog, _) = Inputs(1);
        var tasks = Path.Combine(_dir, "unicode.jsonl");
        File.WriteAllBytes(tasks, [.. "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}\n{\"id\":\"b\",\"question\":\"q "u8, .. bad, .. "\",\"answer\":\"x\"}\n"u8]);
        var r = await OrchestraProcess.RunAsync(Eval(catalog, tasks, Path.Combine(_dir, "u.db")));
        r.ExitCode.Should().Be(2, what);
        r.Stderr.Trim().Should().StartWith("error: ").And.Contain("unicode.jsonl:2").And.Contain(message).And.NotContain("\n");
    }

    [Fact]
    public async Task Tau2_samples_are_task_and_trial_scored_by_the_evaluator_with_pass_hat_k()
    {
        var catalog = Path.Combine(_dir, "tau2.json");
        File.WriteAllText(catalog, $$$$"""
            {"orchestrator":{"model":"agent"},
             "models":{"agent":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"agent-model","price":{"input_per_million":1,"output_per_million":2}},
                       "user":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"user-model","price":{"input_per_million":1,"output_per_million":1}}},
             "aliases":{"expert-1":"agent"},
             "limits":{"max_retries":0}}
            """);
        _server.Fallback = request => request.Model == "user-model" ? new FakeReply("Thanks, that is all. ###STOP###") : new FakeReply("How can I help?");
        var r = await OrchestraProcess.RunAsync("eval", "run", "--benchmark", "tau2", "--domain", "mock", "--data-dir", SharedData.File("tau2", "data"),
            "--config", catalog, "--setup", "direct", "--user-model", "user", "--trials", "2", "--limit", "4", "--store", Path.Combine(_dir, "t.db"), "--run-id", "r", "--json");
        r.ExitCode.Should().Be(0, r.Stderr);
        var o = JsonNode.Parse(r.Stdout)!;
        o["benchmark"]!.GetValue<string>().Should().Be("tau2");
        o["pass_hat_k"]!.AsArray().Should().NotBeEmpty();
        var samples = await SamplesAsync(Path.Combine(_dir, "t.db"));
        samples.Should().HaveCount(4).And.OnlyContain(s => s.VerdictSource == "tau2" && s.Reward != null && s.SampleId.Contains('#') && s.StopReason == "user_stop");

        var orchestrated = await OrchestraProcess.RunAsync("eval", "run", "--benchmark", "tau2", "--domain", "mock", "--data-dir", SharedData.File("tau2", "data"),
            "--config", catalog, "--setup", "orchestrated", "--user-model", "user", "--limit", "2", "--store", Path.Combine(_dir, "t.db"), "--run-id", "r2", "--json");
        orchestrated.ExitCode.Should().Be(0, orchestrated.Stderr);
        JsonNode.Parse(orchestrated.Stdout)!["done"]!.GetValue<int>().Should().Be(2);
        var basic = await OrchestraProcess.RunAsync("eval", "run", "--benchmark", "tau2", "--domain", "mock", "--data-dir", SharedData.File("tau2", "data"),
            "--config", catalog, "--setup", "basic", "--user-model", "user", "--store", Path.Combine(_dir, "t.db"), "--run-id", "r3");
        basic.ExitCode.Should().Be(2);
        basic.Stderr.Should().Contain("--setup basic has no meaning for tau2");
    }

    [Fact]
    public async Task Tau2_tasks_needing_nl_assertions_use_the_catalogs_judge_and_without_one_are_not_evaluated_never_0()
    {
        // Retail task 24: reward basis DB and NL_ASSERTION, no gold actions, so an agent that changes nothing passes the DB check.
        var data = Path.Combine(_dir, "tau2-data");
        var domain = Path.Combine(data, "tau2", "domains", "retail");
        Directory.CreateDirectory(domain);
        var upstream = SharedData.File("tau2", "data", "tau2", "domains", "retail");
        foreach (var f in new[] { "db.json", "policy.md" }) File.Copy(Path.Combine(upstream, f), Path.Combine(domain, f));
        var guidelines = Directory.CreateDirectory(Path.Combine(data, "tau2", "user_simulator")).FullName;
        foreach (var f in Directory.GetFiles(SharedData.File("tau2", "data", "tau2", "user_simulator"))) File.Copy(f, Path.Combine(guidelines, Path.GetFileName(f)));
        var task = JsonNode.Parse(File.ReadAllText(Path.Combine(upstream, "tasks.json")))!.AsArray().Single(t => t!["id"]!.GetValue<string>() == "24")!;
        task["evaluation_criteria"]!["reward_basis"]!.AsArray().Select(b => b!.GetValue<string>()).Should().Equal("DB", "NL_ASSERTION");
        File.WriteAllText(Path.Combine(domain, "tasks.json"), new JsonArray(task.DeepClone()).ToJsonString());

        string Catalog(bool judge)
        {
            var path = Path.Combine(_dir, $"tau2-judge-{judge}.json");
            File.WriteAllText(path, $$$$"""
                {"orchestrator":{"model":"agent"},
                 "models":{"agent":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"agent-model","price":{"input_per_million":1,"output_per_million":2}},
                           "user":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"user-model","price":{"input_per_million":1,"output_per_million":1}},
                           "grader":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"judge-model","price":{"input_per_million":1,"output_per_million":1}}},
                 "aliases":{"expert-1":"agent"{{{{(judge ? ",\"judge\":\"grader\"" : "")}}}}},
                 "limits":{"max_retries":0}}
                """);
            return path;
        }
        _server.Fallback = request => request.Model switch
        {
            "user-model" => new FakeReply("Thanks, that is all. ###STOP###"),
            "judge-model" => new FakeReply("""{"results": [{"expectedOutcome": "x", "reasoning": "done", "metExpectation": true}]}"""),
            _ => new FakeReply("How can I help?"),
        };
        string[] Run(string catalog, string runId, params string[] more) =>
            ["eval", "run", "--benchmark", "tau2", "--domain", "retail", "--data-dir", data, "--config", catalog, "--setup", "direct", "--user-model", "user",
             "--trials", "2", "--store", Path.Combine(_dir, "nl.db"), "--run-id", runId, .. more];

        var unjudged = await OrchestraProcess.RunAsync(Run(Catalog(judge: false), "r", "--json"));
        unjudged.ExitCode.Should().Be(0, unjudged.Stderr);
        var summary = JsonNode.Parse(unjudged.Stdout)!;
        (summary["done"]!.GetValue<int>(), summary["not_evaluated"]!.GetValue<int>(), summary["correct"]!.GetValue<int>()).Should().Be((2, 2, 0), string.Join("; ", (await SamplesAsync(Path.Combine(_dir, "nl.db"))).Select(x => x.Error)));
        summary["notes"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Contain(n => n.StartsWith("No judge", StringComparison.Ordinal));
        summary["pass_hat_k"]!.AsArray().Should().BeEmpty("an unknown reward is not a failure");
        (await SamplesAsync(Path.Combine(_dir, "nl.db"))).Should().HaveCount(2)
            .And.OnlyContain(s => s.Reward == null && s.Correct == null && s.VerdictSource == EvalSample.NotEvaluated);
        var plain = await OrchestraProcess.RunAsync(Run(Catalog(judge: false), "r"));
        plain.Stdout.Should().Contain("2 done samples are not evaluated");

        var judged = await OrchestraProcess.RunAsync(Run(Catalog(judge: true), "judged", "--json"));
        judged.ExitCode.Should().Be(0, judged.Stderr);
        var withJudge = JsonNode.Parse(judged.Stdout)!;
        (withJudge["not_evaluated"]!.GetValue<int>(), withJudge["correct"]!.GetValue<int>(), withJudge["accuracy"]!.GetValue<double>()).Should().Be((0, 2, 1.0));
        _server.Requests.Should().Contain(r => r.Model == "judge-model");
    }
}
