using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// Keys and endpoints checked before the first paid call: <c>run</c>, <c>serve</c> and <c>eval run</c> refuse, with exit 2
/// and one line naming the variable, a catalog whose orchestrator or every answer alias lacks its key, and make no
/// request to the (fake) endpoint; <c>orchestra doctor --config</c> reports every model. PATH stands for a key variable
/// that is set (its value must never be printed); <see cref="Unset"/> for one that is not.
/// </summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private const string Unset = "ORCHESTRA_TEST_KEY_THAT_IS_NEVER_SET";
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("readiness-cli").FullName;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    /// <summary>orch (orchestrator), gpt-5 (answer-1, search-1) and mini (answer-2), each with the key variable given (null: none).</summary>
    private string Catalog(string? orchKey, string? gptKey, string? miniKey, string endpoint = "")
    {
        static string Key(string? name) => name is null ? "" : $",\"api_key_env\":\"{name}\"";
        endpoint = endpoint.Length > 0 ? endpoint : _server.BaseUrl;
        var path = Path.Combine(_dir, $"catalog-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{endpoint}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.2}{{{Key(orchKey)}}}},
                       "gpt-5":{"endpoint":"{{{endpoint}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10}{{{Key(gptKey)}}}},
                       "mini":{"endpoint":"{{{endpoint}}}","name":"gpt-5-mini","price":{"input_per_million":0.25,"output_per_million":2}{{{Key(miniKey)}}}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5","answer-2":"mini"},
             "limits":{"max_retries":0,"max_turns":4}}
            """);
        return path;
    }

    private string Runs => Path.Combine(_dir, "runs");

    [Fact]
    public async Task Run_with_the_orchestrators_key_unset_exits_2_naming_the_variable_before_any_call()
    {
        _server.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }));
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(Unset, null, null), "--runs-dir", Runs, "--json", "2+2?");
        r.ExitCode.Should().Be(2, r.Stdout);
        r.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(Unset).And.Contain("orchestrator model 'orch'");
        _server.Requests.Should().BeEmpty("nothing may be paid for");
    }

    [Fact]
    public async Task Run_with_every_answer_alias_unusable_exits_2_before_any_call()
    {
        _server.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }));
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(null, Unset, Unset), "--runs-dir", Runs, "2+2?");
        r.ExitCode.Should().Be(2, r.Stdout);
        r.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("no alias that can answer").And.Contain("answer-1, answer-2 need " + Unset);
        _server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_warns_once_about_an_expert_that_cannot_work_and_prints_its_first_error()
    {
        // answer-1's key is unset, answer-2 works: the run goes on, says so once, and shows why answer-1 failed.
        _server.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }), FakeReply.Call("answer", new { model = "answer-2" }));
        _server.Script("gpt-5-mini", new FakeReply("<answer>4</answer>"));
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(null, Unset, null), "--runs-dir", Runs, "2+2?");
        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("warning:").And.Contain("'gpt-5' (answer-1, search-1)").And.Contain(Unset);
        r.Stdout.Should().Contain("Answer: 4").And.Contain("First expert error: turn 1:").And.Contain(Unset);
        _server.Requests.Select(q => q.Model).Should().Equal("orch-8b", "orch-8b", "gpt-5-mini");
    }

    [Fact]
    public async Task A_question_starting_with_a_dash_goes_after_the_double_dash()
    {
        _server.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }));
        _server.Script("gpt-5", new FakeReply("<answer>2</answer>"));
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(null, null, null), "--runs-dir", Runs, "--json", "--", "-1 + 3?");
        r.ExitCode.Should().Be(0, r.Stderr);
        JsonNode.Parse(r.Stdout)!["answer"]!.GetValue<string>().Should().Be("2");
    }

    [Fact]
    public async Task Run_with_an_unknown_option_and_no_question_is_refused_before_any_call()
    {
        _server.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }));
        var r = await OrchestraProcess.RunAsync("run", "--config", Catalog(null, null, null), "--runs-dir", Runs, "--json", "--frobnicate");
        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Should().StartWith("error: run: unknown option '--frobnicate'");
        _server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Serve_with_the_orchestrators_key_unset_exits_2_without_serving()
    {
        var r = await OrchestraProcess.RunAsync("serve", "--config", Catalog(Unset, null, null), "--store", Path.Combine(_dir, "serve.db"), "--port", "0", "--runs-dir", Runs);
        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(Unset);
        r.Stdout.Should().NotContain("Serving");
    }

    [Fact]
    public async Task Eval_run_with_every_answer_alias_unusable_exits_2_before_any_call()
    {
        var tasks = Path.Combine(_dir, "tasks.jsonl");
        File.WriteAllText(tasks, """{"id":"t1","question":"What is 2+2?","answer":"4"}""" + "\n");
        _server.Fallback = q => q.ToolNames.Count > 0 ? FakeReply.Call("answer", new { model = "answer-1" }) : new FakeReply("<answer>4</answer>");
        var r = await OrchestraProcess.RunAsync("eval", "run", "--benchmark", "qa", "--tasks", tasks, "--config", Catalog(null, Unset, Unset),
            "--store", Path.Combine(_dir, "eval.db"), "--run-id", "r", "--no-code", "--json");
        r.ExitCode.Should().Be(2, r.Stdout);
        r.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(Unset);
        _server.Requests.Should().BeEmpty();

        // Direct: the model answers alone, so answer aliases do not matter and it runs (with a warning about them).
        var direct = await OrchestraProcess.RunAsync("eval", "run", "--benchmark", "qa", "--tasks", tasks, "--config", Catalog(null, Unset, Unset),
            "--store", Path.Combine(_dir, "eval.db"), "--run-id", "d", "--setup", "direct", "--json");
        direct.ExitCode.Should().Be(0, direct.Stderr);
        direct.Stderr.Should().Contain("warning:").And.Contain(Unset);
    }

    [Fact]
    public async Task Doctor_reports_every_model_without_printing_key_values()
    {
        _server.ListedModels = ["orch-8b", "gpt-5"]; // gpt-5-mini is not listed
        var catalog = Catalog(null, "PATH", Unset);
        var r = await OrchestraProcess.RunAsync("doctor", "--config", catalog);
        r.ExitCode.Should().Be(0, r.Stderr + r.Stdout);
        r.Stdout.Should().Contain("orch (orchestrator)").And.Contain("PATH set").And.Contain($"{Unset} NOT SET").And.Contain("FAIL");
        r.Stdout.Should().NotContain(Environment.GetEnvironmentVariable("PATH")!);

        var json = await OrchestraProcess.RunAsync("doctor", "--config", catalog, "--json");
        json.ExitCode.Should().Be(0, json.Stderr);
        var o = JsonNode.Parse(json.Stdout)!;
        o["ready"]!.GetValue<bool>().Should().BeTrue();
        var models = o["models"]!.AsArray().ToDictionary(m => m!["model"]!.GetValue<string>());
        models["orch"]!["usable"]!.GetValue<bool>().Should().BeTrue();
        models["gpt-5"]!["key_variable"]!.GetValue<string>().Should().Be("PATH");
        models["gpt-5"]!["listed"]!.GetValue<bool>().Should().BeTrue();
        models["mini"]!["usable"]!.GetValue<bool>().Should().BeFalse();
        models["mini"]!["problem"]!.GetValue<string>().Should().Contain(Unset);
        json.Stdout.Should().NotContain(Environment.GetEnvironmentVariable("PATH")!);
        _server.Requests.Should().BeEmpty("doctor only lists models, it never pays for a call");
        _server.Listings.Should().Be(6, "each doctor run asks once per endpoint and key variable");
    }

    [Fact]
    public async Task Doctor_exits_1_when_the_orchestrator_cannot_work()
    {
        _server.ListedModels = ["gpt-5", "gpt-5-mini"];
        var unlisted = await OrchestraProcess.RunAsync("doctor", "--config", Catalog(null, null, null), "--json");
        unlisted.ExitCode.Should().Be(1);
        JsonNode.Parse(unlisted.Stdout)!["orchestrator_usable"]!.GetValue<bool>().Should().BeFalse();

        var unreachable = await OrchestraProcess.RunAsync("doctor", "--config", Catalog(null, null, null, "http://127.0.0.1:9/v1"), "--timeout", "5");
        unreachable.ExitCode.Should().Be(1);
        unreachable.Stdout.Should().Contain("UNREACHABLE").And.Contain("cannot work");
    }
}
