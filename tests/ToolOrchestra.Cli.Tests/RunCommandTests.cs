using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Episodes;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

public sealed class RunCommandTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("run-cli").FullName;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string Catalog(string endpoint)
    {
        var path = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(path, $$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{endpoint}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.2},"tags":["local"]},
                       "gpt-5":{"endpoint":"{{{endpoint}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10},"tags":["proprietary"]}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"},
             "limits":{"max_retries":0}}
            """);
        return path;
    }

    [Fact]
    public async Task Json_output_carries_the_answer_the_ledger_and_the_trajectory_path()
    {
        _server.Script("orch-8b", FakeReply.Call("search", new { model = "search-1" }, 1000, 100), FakeReply.Call("answer", new { model = "answer-1" }, 2000, 100));
        _server.Script("gpt-5", new FakeReply("<answer>Paris</answer>", PromptTokens: 4000, CompletionTokens: 250));

        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(_server.BaseUrl), "--runs-dir", Path.Combine(_dir, "runs"), "--json", "Capital of France?");

        r.ExitCode.Should().Be(0, r.Stderr);
        var o = JsonNode.Parse(r.Stdout)!;
        o["answer"]!.GetValue<string>().Should().Be("Paris");
        o["stop_reason"]!.GetValue<string>().Should().Be("answered");
        o["turns"]!.GetValue<int>().Should().Be(2);
        o["cost_usd"]!.GetValue<decimal>().Should().Be(0.00064m + 0.0075m); // 3200 × 0.2/M + (4000 × 1.25 + 250 × 10)/M
        var calls = o["calls"]!.AsArray();
        calls.Select(c => (c!["turn"]!.GetValue<int>(), c["tool"]!.GetValue<string>(), c["alias"]?.GetValue<string>(), c["model"]!.GetValue<string>(),
            c["input_tokens"]!.GetValue<long>(), c["output_tokens"]!.GetValue<long>(), c["cost_usd"]!.GetValue<decimal>()))
            .Should().Equal((1, "orchestrator", null, "orch", 1000L, 100L, 0.00022m), (2, "orchestrator", null, "orch", 2000L, 100L, 0.00042m),
                (2, "answer", "answer-1", "gpt-5", 4000L, 250L, 0.0075m));
        calls.Should().OnlyContain(c => c!["latency_s"]!.GetValue<double>() >= 0);
        var path = o["trajectory_path"]!.GetValue<string>();
        File.ReadLines(path).Should().HaveCount(4, "one start record, a record per turn, one end record");
        var trajectory = RunStore.Load(path);
        trajectory.Turns.Should().HaveCount(2);
        trajectory.Turns[0].Observation.Should().StartWith("Tool not configured: search");
        trajectory.StopReason.Should().Be(StopReason.Answered);
        trajectory.CostUsd.Should().Be(0.00064m + 0.0075m);
    }

    [Fact]
    public async Task A_budget_below_the_first_calls_worst_case_sends_nothing_and_json_says_answer_null()
    {
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(_server.BaseUrl), "--runs-dir", Path.Combine(_dir, "runs"), "--budget-usd", "0.0001", "--json", "2+2?");

        r.ExitCode.Should().Be(0, r.Stderr);
        var o = JsonNode.Parse(r.Stdout)!.AsObject();
        o.Should().ContainKey("answer").WhoseValue.Should().BeNull();
        o["stop_reason"]!.GetValue<string>().Should().Be("budget_usd");
        o["stop_detail"]!.GetValue<string>().Should().Contain("worst case");
        o["cost_usd"]!.GetValue<decimal>().Should().Be(0);
        _server.Requests.Should().BeEmpty("the orchestrator's call could cost more than the whole budget");
    }

    [Fact]
    public async Task Plain_output_shows_the_answer_stop_reason_and_call_table()
    {
        _server.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }));
        _server.Script("gpt-5", new FakeReply("<answer>4</answer>"));
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(_server.BaseUrl), "--runs-dir", Path.Combine(_dir, "runs"), "2+2?");
        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("Answer: 4").And.Contain("Stop reason: answered").And.Contain("answer-1").And.Contain("total");
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_one_line_naming_the_url_and_exit_code_2()
    {
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog("http://127.0.0.1:9/v1"), "--runs-dir", Path.Combine(_dir, "runs"), "q");
        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("http://127.0.0.1:9/v1");
        Directory.GetFiles(Path.Combine(_dir, "runs")).Should().ContainSingle("the partial trajectory is kept");
    }

    [Fact]
    public async Task A_malformed_catalog_is_one_line_naming_the_field_and_exit_code_2()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, """{"orchestrator":{"model":"x"},"models":{}}""");
        var r = await OrchestraProcess.RunAsync("run", "--config", path, "q");
        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Should().Be($"error: {path}: $.models: declare at least one model.");
    }
}
