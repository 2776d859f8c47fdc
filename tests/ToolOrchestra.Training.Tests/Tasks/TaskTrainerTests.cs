using System.Globalization;
using System.Text.RegularExpressions;
using FluentAssertions;
using ToolOrchestra.Core;
using ToolOrchestra.Testing;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Tasks;
using Xunit;

namespace ToolOrchestra.Training.Tests.Tasks;

/// <summary>
/// Training on a user's own tasks against real HTTP endpoints (the fake OpenAI-compatible server): a pricey expert that
/// knows every answer, a cheap one that guesses wrong, a judge for the near misses.
/// </summary>
public sealed partial class TaskTrainerTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-tasktrain-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeOpenAiServer _server = null!;
    private string _catalog = null!;
    private string _tasks = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await FakeOpenAiServer.StartAsync();
        // Every call is priced by its usage: the big expert 1000 in / 100 out at $1.25/$10 per million.
        _server.Fallback = q => q.Model switch
        {
            "big-m" => new FakeReply($"<think>known</think><answer>alpha-{Code().Match(q.Messages.ToJsonString()).Groups[1].Value}</answer>", PromptTokens: 1000, CompletionTokens: 100),
            "small-m" => new FakeReply("\\boxed{no idea}", PromptTokens: 500, CompletionTokens: 50),
            "judge-m" => new FakeReply("<correct>False</correct>", PromptTokens: 200, CompletionTokens: 10),
            _ => new FakeReply("unexpected", PromptTokens: 10, CompletionTokens: 10),
        };
        _catalog = Write("catalog.json", $$$"""
            {"orchestrator": {"model": "orch"},
             "models": {
               "orch": {"endpoint": "{{{_server.BaseUrl}}}", "name": "orch-m", "price": {"input_per_million": 0, "output_per_million": 0}, "tags": ["local"], "family": "qwen"},
               "big": {"endpoint": "{{{_server.BaseUrl}}}", "name": "big-m", "price": {"input_per_million": 1.25, "output_per_million": 10}, "tags": ["proprietary"], "family": "gpt", "max_output_tokens": 200},
               "small": {"endpoint": "{{{_server.BaseUrl}}}", "name": "small-m", "price": {"input_per_million": 0.1, "output_per_million": 0.1}, "tags": ["local"], "family": "qwen", "max_output_tokens": 200},
               "judge": {"endpoint": "{{{_server.BaseUrl}}}", "name": "judge-m", "price": {"input_per_million": 1, "output_per_million": 1}, "tags": ["proprietary"], "family": "gpt", "max_output_tokens": 50}},
             "aliases": {"answer-1": "big", "answer-2": "small", "judge": "judge"},
             "limits": {"max_turns": 3, "max_retries": 0}}
            """);
        _tasks = Write("tasks.jsonl", string.Join("\n", Enumerable.Range(1, 10).Select(i => "{\"id\": \"t" + i + "\", \"question\": \"What is code " + i + "?\", \"answer\": \"alpha-" + i + "\"}")));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"What is code (\d+)\?")]
    private static partial Regex Code();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private TaskTrainingOptions Options(string outDir, int steps = 3, decimal? cap = null, string? cache = null) =>
        new(_tasks, Path.Combine(_dir, outDir), Steps: steps, TasksPerStep: 2, Group: 4, Seed: 3, Parallelism: 4, ValidateEvery: 2, MaxSpendUsd: cap,
            Cache: cache is null ? null : Path.Combine(_dir, cache));

    private async Task<TaskTrainingReport> Train(TaskTrainingOptions options)
    {
        await using var trainer = await TaskTrainer.CreateAsync(options, _catalog);
        return await trainer.TrainAsync();
    }

    [Fact]
    public async Task It_trains_against_the_endpoints_scores_with_the_judge_and_writes_policy_curve_and_checkpoint()
    {
        var report = await Train(Options("run"));

        report.StopReason.Should().Be("completed");
        report.Steps.Should().Be(3);
        File.Exists(report.PolicyPath).Should().BeTrue();
        PolicyWeightsFile.LoadWithNotes(report.PolicyPath).Training.Should().ContainKey("catalog_fingerprint").And.ContainKey("tasks_sha256");
        File.ReadAllLines(report.CurvePath)[0].Should().Be("step,split,profile,reward,accuracy,dollars_per_task,seconds_per_task,paid_usd");
        report.Curve.Count(c => c.Split == "train").Should().Be(3);
        report.Validation.Should().NotBeNull("2 of 10 tasks are held out and scored at steps 2 and 3");
        _server.Requests.Should().NotContain(r => r.Model == "orch-m", "the learned policy orchestrates, no LLM does");
        _server.Requests.Should().Contain(r => r.Model == "judge-m", "the cheap expert's wrong answers are near misses for the judge");
        var solved = report.Curve.Where(c => c.Split == "train").Select(c => c.Accuracy);
        solved.Should().OnlyContain(a => a >= 0 && a <= 1);
        report.PaidUsd.Should().Be(ServerSpend(), "the real dollars are what the endpoints billed");
    }

    [Fact]
    public async Task With_a_warm_cache_a_second_training_pays_nothing_and_ends_with_the_same_weights()
    {
        var cold = await Train(Options("cold", steps: 3, cache: "responses.db"));
        var paidRequests = _server.Requests.Count;

        var warm = await Train(Options("warm", steps: 3, cache: "responses.db"));

        _server.Requests.Count.Should().Be(paidRequests, "every expert call is replayed; only the judge's verdicts are new to this process");
        warm.Cache!.Hits.Should().BeGreaterThan(0);
        warm.Cache.Misses.Should().Be(0);
        warm.PaidUsd.Should().Be(0);
        PolicyWeightsFile.Load(warm.PolicyPath).Weights.Should().Equal(PolicyWeightsFile.Load(cold.PolicyPath).Weights);
    }

    [Fact]
    public async Task A_stopped_training_resumes_from_its_checkpoint_to_the_same_weights_as_an_uninterrupted_one()
    {
        var whole = await Train(Options("whole", steps: 4, cache: "responses.db"));
        var first = await Train(Options("parts", steps: 2, cache: "responses.db"));
        var rest = await Train(Options("parts", steps: 4, cache: "responses.db"));

        first.Steps.Should().Be(2);
        rest.ResumedFromStep.Should().Be(2);
        rest.Curve.Where(c => c.Split == "train").Select(c => c.Step).Should().Equal(1, 2, 3, 4);
        PolicyWeightsFile.Load(whole.PolicyPath).Weights.Should().NotEqual(SoftmaxPolicy.Create(seed: 3).Weights, "the groups' rewards differ, so the policy learns");
        PolicyWeightsFile.Load(rest.PolicyPath).Weights.Should().Equal(PolicyWeightsFile.Load(whole.PolicyPath).Weights);
    }

    [Fact]
    public async Task The_spend_cap_holds_with_concurrent_episodes_and_a_rerun_with_a_higher_cap_continues()
    {
        const decimal cap = 0.03m;

        var capped = await Train(Options("capped", steps: 50, cap: cap));

        capped.StopReason.Should().Be("max_spend");
        ServerSpend().Should().BeLessThanOrEqualTo(cap);
        capped.PaidUsd.Should().Be(ServerSpend());
        var more = await Train(Options("capped", steps: capped.Steps + 1, cap: 1m));
        more.ResumedFromStep.Should().Be(capped.Steps);
        more.StopReason.Should().Be("completed");
    }

    [Fact]
    public async Task Bad_input_is_refused_before_any_paid_call()
    {
        var noJudge = Write("nojudge.json", File.ReadAllText(_catalog).Replace(", \"judge\": \"judge\"", ""));
        var unanswered = Write("unanswered.jsonl", """{"id": "a", "question": "Q?", "answer": ""}""");

        var judge = () => TaskTrainer.CreateAsync(Options("x"), noJudge);
        var answers = () => TaskTrainer.CreateAsync(Options("x") with { TasksPath = unanswered }, _catalog);
        var tiny = () => Train(Options("tiny", cap: 0.000001m));
        var badCache = () => TaskTrainer.CreateAsync(Options("x", cache: Path.Combine("no-such-dir", "c.db")), _catalog);

        (await judge.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("judge");
        (await answers.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("no gold answer");
        (await tiny.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("below one call's worst case");
        (await badCache.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("--cache");
        _server.Requests.Should().BeEmpty();
    }

    /// <summary>What the server billed: each answered request's usage at its model's price.</summary>
    private decimal ServerSpend() => _server.Requests.Sum(r => r.Model switch
    {
        "big-m" => (1000 * 1.25m + 100 * 10m) / 1_000_000m,
        "small-m" => (500 * 0.1m + 50 * 0.1m) / 1_000_000m,
        "judge-m" => (200 * 1m + 10 * 1m) / 1_000_000m,
        _ => 0m,
    });
}
