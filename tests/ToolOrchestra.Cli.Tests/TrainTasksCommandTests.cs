using System.Text.Json.Nodes;
using FluentAssertions;
using ToolOrchestra.Testing;
using Xunit;

namespace ToolOrchestra.Cli.Tests;

/// <summary><c>orchestra train --tasks --config</c> as a user runs it, against the fake OpenAI-compatible server.</summary>
public sealed class TrainTasksCommandTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-train-cli-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeOpenAiServer _server = null!;
    private string _catalog = null!;
    private string _tasks = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = q => q.Model == "big-m" ? new FakeReply("<answer>42</answer>") : new FakeReply("\\boxed{7}");
        _catalog = Write("catalog.json", $$$"""
            {"orchestrator": {"model": "orch"},
             "models": {
               "orch": {"endpoint": "{{{_server.BaseUrl}}}", "name": "orch-m", "price": {"input_per_million": 0, "output_per_million": 0}, "tags": ["local"], "family": "qwen"},
               "big": {"endpoint": "{{{_server.BaseUrl}}}", "name": "big-m", "price": {"input_per_million": 1, "output_per_million": 2}, "tags": ["proprietary"], "family": "gpt", "max_output_tokens": 100},
               "small": {"endpoint": "{{{_server.BaseUrl}}}", "name": "small-m", "price": {"input_per_million": 0.1, "output_per_million": 0.1}, "tags": ["local"], "family": "qwen", "max_output_tokens": 100}},
             "aliases": {"answer-1": "big", "answer-2": "small"},
             "limits": {"max_turns": 2, "max_retries": 0}}
            """);
        _tasks = Write("tasks.jsonl", string.Join("\n", Enumerable.Range(1, 5).Select(i => "{\"id\": \"q" + i + "\", \"question\": \"6 times 7, case " + i + "?\", \"answer\": \"42\"}")));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task It_trains_and_prints_every_documented_key()
    {
        var r = await OrchestraProcess.RunAsync("train", "--tasks", _tasks, "--config", _catalog, "--out", Path.Combine(_dir, "out"),
            "--steps", "2", "--group", "2", "--tasks-per-step", "2", "--validate-every", "1", "--exact-match", "--cache", Path.Combine(_dir, "cache.db"), "--json");

        r.ExitCode.Should().Be(0, r.Stderr);
        var o = JsonNode.Parse(r.Stdout)!.AsObject();
        o["steps"]!.GetValue<int>().Should().Be(2);
        o["stop_reason"]!.GetValue<string>().Should().Be("completed");
        File.Exists(o["policy"]!.GetValue<string>()).Should().BeTrue();
        o["validation"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("accuracy", "dollars_per_task", "seconds_per_task");
        o["cache"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("hits", "misses", "paid_usd", "saved_usd");
        o["cache"]!["misses"]!.GetValue<long>().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Bad_input_is_one_line_and_exit_2_before_any_paid_call()
    {
        var unanswered = Write("unanswered.jsonl", """{"id": "a", "question": "Q?", "answer": " "}""");
        string[] Train(string tasks, params string[] more) => ["train", "--tasks", tasks, "--config", _catalog, "--out", Path.Combine(_dir, "bad"), .. more];

        var noAnswer = await OrchestraProcess.RunAsync(Train(unanswered, "--exact-match"));
        var noJudge = await OrchestraProcess.RunAsync(Train(_tasks));
        var badCache = await OrchestraProcess.RunAsync(Train(_tasks, "--exact-match", "--cache", Path.Combine(_dir, "missing", "c.db")));
        var tinyCap = await OrchestraProcess.RunAsync(Train(_tasks, "--exact-match", "--max-spend-usd", "0.0000001"));

        foreach (var (r, says) in new[] { (noAnswer, "no gold answer"), (noJudge, "judge"), (badCache, "--cache"), (tinyCap, "below one call's worst case") })
        {
            r.ExitCode.Should().Be(2, r.Stderr);
            var error = r.Stderr.Trim().Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).Should().ContainSingle().Subject;
            error.Should().Contain(says);
            r.Stderr.Should().NotContain("   at ", "no stack trace");
        }
        _server.Requests.Should().BeEmpty();
    }
}
