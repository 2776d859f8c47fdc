using ToolOrchestra.Environments.Qa;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Evaluation.Tests.Harness;

/// <summary>
/// The QA benchmark end to end against a fake OpenAI-compatible server over real HTTP: the orchestrator always calls
/// answer-1, whose expert replies with the answer scripted for the question; the judge says True when the student's
/// answer names the gold's first word.
/// </summary>
public sealed class QaHarnessTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("qa-harness").FullName;
    private readonly Dictionary<string, string> _expertAnswers = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = request =>
        {
            var text = request.LastUserText;
            if (request.Model == "judge-4")
            {
                var student = text.Split("Student answer: ")[1].Split("\n")[0];
                var gold = text.Split("Reference answer: ")[1].Split("\n")[0];
                return new FakeReply($"<correct>{(student.Split(' ', '.')[0] == gold.Split(' ', '.')[0] ? "True" : "False")}</correct>", PromptTokens: 300, CompletionTokens: 10);
            }
            if (text.Contains("FAIL", StringComparison.Ordinal)) return FakeReply.Error(500);
            if (request.ToolNames.Count > 0) return FakeReply.Call("answer", new { model = "answer-1" });
            var question = _expertAnswers.Keys.First(q => text.Contains(q, StringComparison.Ordinal));
            return new FakeReply($"<think>recalling</think><answer>{_expertAnswers[question]}</answer>");
        };
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string Catalog(bool judge = true)
    {
        var path = Path.Combine(_dir, judge ? "catalog.json" : "catalog-nojudge.json");
        var judgeAlias = judge ? ",\"judge\":\"judge-model\"" : "";
        File.WriteAllText(path, $$$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.6}},
                       "gpt-5":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10}},
                       "judge-model":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"judge-4","price":{"input_per_million":2,"output_per_million":8}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"{{{{judgeAlias}}}}},
             "limits":{"max_retries":0,"max_turns":3}}
            """);
        return path;
    }

    /// <summary>Writes a task file; each task's expert answer is registered with the fake.</summary>
    private string Tasks(string name, params (string Id, string Question, string Gold, string Expert)[] tasks)
    {
        foreach (var t in tasks) _expertAnswers[t.Question] = t.Expert;
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, tasks.Select(t => new JsonObject { ["id"] = t.Id, ["question"] = t.Question, ["answer"] = t.Gold }.ToJsonString()));
        return path;
    }

    private async Task<(EvalRunSummary Summary, IReadOnlyList<EvalSample> Samples)> RunAsync(EvalRunOptions options)
    {
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(options.Store));
        await using var benchmark = await EvalBenchmarks.CreateAsync(options, store, default);
        var summary = await EvalRunner.RunAsync(options, store, benchmark);
        return (summary, await store.LoadSamplesAsync(options.RunId, withTrajectories: true));
    }

    private EvalRunOptions Options(string tasks, string runId, string setup = "orchestrated", string? catalog = null) => new()
    {
        Benchmark = "qa", Tasks = tasks, Config = catalog ?? Catalog(), Setup = setup, Store = Path.Combine(_dir, "eval.db"), RunId = runId, NoCode = true, Concurrency = 2,
    };

    [Fact]
    public async Task Experts_answering_the_gold_verbatim_score_every_frames_style_question_without_the_judge()
    {
        var tasks = Tasks("verbatim.jsonl",
            ("v1", "Which tower, v1?", "The Eiffel Tower.", "The Eiffel Tower."),          // a gold ending in '.'
            ("v2", "How long, v2?", "37 years\t", "37 years\t"),                          // an untrimmed gold
            ("v3", "Who, v3?", "  Jane Ballou  ", "  Jane Ballou  "),
            ("v4", "Where, v4?", "São Paulo, Brazil.", "São Paulo, Brazil."),
            ("v5", "Which year, v5?", "1987", "1987"),
            ("v6", "Case, v6?", "McDonald's", "mcdonald's"));
        var (summary, samples) = await RunAsync(Options(tasks, "verbatim"));
        summary.Accuracy.Should().Be(1.0);
        samples.Should().HaveCount(6).And.OnlyContain(s => s.Correct == true && s.VerdictSource == "exact" && s.JudgeCostUsd == 0);
        _server.Requests.Should().NotContain(r => r.Model == "judge-4", "no near miss needs the judge");
    }

    [Fact]
    public async Task A_tasks_pref_vec_is_the_preferences_its_episode_runs_and_is_stored_under()
    {
        _expertAnswers["Capital of Peru, p1?"] = "Lima";
        var path = Path.Combine(_dir, "prefs.jsonl");
        File.WriteAllText(path, """{"id":"p1","question":"Capital of Peru, p1?","answer":"Lima","pref_vec":{"accuracy":1,"cost":0.5,"answer-1":-1}}""" + "\n");
        var (_, samples) = await RunAsync(Options(path, "prefs"));
        samples.Single().Error.Should().BeNull();
        var stored = JsonSerializer.Deserialize<Core.Trajectory>(samples.Single().TrajectoryJson!, Core.OrchestraJson.Options)!;
        stored.Preferences!.Weights.Should().Equal(new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 0.5, ["answer-1"] = -1 });

        File.WriteAllText(path, """{"id":"p1","question":"Q?","answer":"A","pref_vec":{"gpt-9":1}}""" + "\n");
        await FluentActions.Awaiting(() => RunAsync(Options(path, "prefs-bad"))).Should().ThrowAsync<Core.UserError>().WithMessage("*prefs.jsonl: task 'p1' pref_vec*gpt-9*");
        File.WriteAllText(path, """{"id":"p1","question":"Q?","answer":"A","pref_vec":{"cost":"cheap"}}""" + "\n");
        await FluentActions.Awaiting(() => QaTaskFiles.LoadAsync(path)).Should().ThrowAsync<Core.UserError>().WithMessage("*prefs.jsonl:1*pref_vec*");
    }

    [Fact]
    public async Task Near_misses_go_to_the_judge_whose_dollars_are_kept_apart_and_whose_verdicts_are_cached()
    {
        var tasks = Tasks("near.jsonl",
            ("n1", "Capital of France, n1?", "Paris.", "Paris"),
            ("n2", "Capital of Germany, n2?", "Berlin", "Munich"),
            ("n3", "Empty, n3?", "x", ""));
        var (_, samples) = await RunAsync(Options(tasks, "near-1"));
        var byId = samples.ToDictionary(s => s.SampleId);
        byId["n1"].Should().Match<EvalSample>(s => s.Correct == true && s.VerdictSource == "judge" && s.JudgeCostUsd == (300 * 2m + 10 * 8m) / 1_000_000m);
        byId["n2"].Should().Match<EvalSample>(s => s.Correct == false && s.VerdictSource == "judge" && s.JudgeCostUsd > 0);
        byId["n3"].Should().Match<EvalSample>(s => s.Correct == false && s.VerdictSource == "exact" && s.JudgeCostUsd == 0, "an empty answer is wrong without appeal");
        var calls = JsonNode.Parse(byId["n1"].CallsJson)!.AsArray();
        calls.Select(c => c!["model"]!.GetValue<string>()).Should().Equal("orch", "gpt-5");
        byId["n1"].CostUsd.Should().Be(calls.Sum(c => c!["cost_usd"]!.GetValue<decimal>()), "the orchestrator's dollars exclude the judge's");
        calls[1]!.AsObject().Select(kv => kv.Key).Should().Contain(["turn", "kind", "tool", "alias", "model", "input_tokens", "output_tokens", "cost_usd", "latency_s"]);
        byId["n1"].ToolSeconds.Should().Be(calls[1]!["latency_s"]!.GetValue<double>(), "tool seconds leave out the orchestrator's generation");
        byId["n1"].TrajectoryJson.Should().Contain("Capital of France");

        var judged = _server.Requests.Count(r => r.Model == "judge-4");
        var (_, again) = await RunAsync(Options(tasks, "near-2"));
        _server.Requests.Count(r => r.Model == "judge-4").Should().Be(judged, "the cached verdicts answer a second run");
        again.Single(s => s.SampleId == "n1").Should().Match<EvalSample>(s => s.Correct == true && s.VerdictSource == "judge_cached" && s.JudgeCostUsd == 0);
    }

    [Fact]
    public async Task Without_a_judge_near_misses_are_wrong_and_the_run_says_so()
    {
        var tasks = Tasks("nojudge.jsonl", ("j1", "Capital of Italy, j1?", "Rome.", "Rome"));
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(Path.Combine(_dir, "nj.db")));
        var options = Options(tasks, "nj", catalog: Catalog(judge: false)) with { Store = Path.Combine(_dir, "nj.db") };
        await using var benchmark = await EvalBenchmarks.CreateAsync(options, store, default);
        benchmark.Notes.Should().Contain(n => n.Contains("No judge"));
        (await EvalRunner.RunAsync(options, store, benchmark)).Accuracy.Should().Be(0);
    }

    [Fact]
    public async Task Direct_asks_the_model_alone_once_and_basic_maps_every_alias_to_it()
    {
        var tasks = Tasks("setups.jsonl", ("s1", "Largest planet, s1?", "Jupiter", "Jupiter"), ("s2", "Smallest planet, s2?", "Mercury", "Mercury"));
        var (direct, directSamples) = await RunAsync(Options(tasks, "direct") with { Orchestrator = "gpt-5", Setup = "direct" });
        direct.Orchestrator.Should().Be("gpt-5");
        direct.Accuracy.Should().Be(1);
        directSamples.Should().OnlyContain(s => s.Turns == 1 && JsonNode.Parse(s.CallsJson)!.AsArray().Count == 1);
        directSamples.Should().OnlyContain(s => s.ToolSeconds > 0 && s.CostUsd > 0);

        var (_, basic) = await RunAsync(Options(tasks, "basic") with { Orchestrator = "gpt-5", Setup = "basic" });
        basic.SelectMany(s => JsonNode.Parse(s.CallsJson)!.AsArray()).Select(c => c!["model"]!.GetValue<string>())
            .Should().OnlyContain(m => m == "gpt-5", "under basic the model orchestrates and every alias is that model");
    }

    [Fact]
    public async Task Failed_samples_are_retried_on_rerun_up_to_the_attempt_limit_and_the_error_rate_fails_the_run()
    {
        var tasks = Tasks("fail.jsonl",
            ("f1", "FAIL always, f1?", "a", "a"), ("f2", "Fine, f2?", "b", "b"), ("f3", "Fine, f3?", "c", "c"), ("f4", "Fine, f4?", "d", "d"));
        var options = Options(tasks, "fail") with { MaxAttempts = 2, MaxErrorRate = 0.2, Concurrency = 1 };
        var (first, samples) = await RunAsync(options);
        first.ErrorRateExceeded.Should().BeTrue("1 of 4 failed, past 0.2");
        first.Stopped.Should().BeTrue("no sample starts once the error budget is spent");
        samples.Single(s => s.SampleId == "f1").Should().Match<EvalSample>(s => s.Status == SampleStatus.Failed && s.Attempts == 1 && s.StopReason == "endpoint_error" && s.Error != null);
        var doneFirst = samples.Count(s => s.Status == SampleStatus.Done);
        var requests = _server.Requests.Count;

        var (second, samples2) = await RunAsync(options with { MaxErrorRate = 0.5 });
        second.SkippedDone.Should().Be(doneFirst);
        second.Ran.Should().Be(4 - doneFirst, "the failed sample is retried and the unstarted ones run");
        second.ErrorRateExceeded.Should().BeFalse();
        samples2.Should().HaveCount(4);
        samples2.Single(s => s.SampleId == "f1").Attempts.Should().Be(2);

        var (third, _) = await RunAsync(options with { MaxErrorRate = 0.5 });
        third.Ran.Should().Be(0, "the attempt limit is reached and the rest is done");
        third.GaveUp.Should().Be(1);
        _server.Requests.Count.Should().BeGreaterThan(requests);
    }
}
