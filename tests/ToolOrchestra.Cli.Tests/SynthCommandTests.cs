using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

/// <summary><c>orchestra synth</c> as a user runs it, and the tau2 commands on its output.</summary>
public sealed class SynthCommandTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("synth-cli").FullName;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Synth_is_deterministic_and_check_gold_passes_every_kept_task()
    {
        var a = Path.Combine(_dir, "a");
        var b = Path.Combine(_dir, "b");
        var r = await OrchestraProcess.RunAsync("synth", "--domains", "10", "--tasks-per-domain", "8", "--seed", "1", "--out", a);
        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("80 tasks kept from").And.Contain("verified tasks/s").And.Contain("reads_before_first_write");
        var json = await OrchestraProcess.RunAsync("synth", "--domains", "10", "--tasks-per-domain", "8", "--seed", "1", "--out", b, "--json");
        json.ExitCode.Should().Be(0, json.Stderr);
        var report = JsonNode.Parse(json.Stdout)!;
        report["kept"]!.GetValue<int>().Should().Be(80);
        report["rejection_rate"]!.GetValue<double>().Should().BeInRange(0.05, 0.95);
        File.ReadAllText(Path.Combine(a, "toolscale.jsonl")).Should().Be(File.ReadAllText(Path.Combine(b, "toolscale.jsonl")));

        foreach (var domain in new[] { "bank", "basketball", "ecommerce", "medicine", "movie", "railway", "restaurant", "school", "travel", "weather" })
        {
            var gold = await OrchestraProcess.RunAsync("tau2", "check-gold", "--data-dir", a, "--domain", domain, "--json");
            gold.ExitCode.Should().Be(0, gold.Stderr + gold.Stdout);
            var o = JsonNode.Parse(gold.Stdout)!;
            (o["tasks"]!.GetValue<int>(), o["passed"]!.GetValue<int>()).Should().Be((8, 8), domain);
        }
    }

    [Fact]
    public async Task Tau2_run_with_the_plain_agent_runs_a_synthesized_domain_and_writes_an_upstream_results_file()
    {
        var data = Path.Combine(_dir, "data");
        (await OrchestraProcess.RunAsync("synth", "--domains", "1", "--tasks-per-domain", "3", "--out", data)).ExitCode.Should().Be(0);
        var task = JsonNode.Parse(File.ReadAllText(Path.Combine(data, "domains", "bank", "tasks.json")))![0]!;
        var criteria = task["evaluation_criteria"]!;
        var catalog = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(catalog, $$$$"""
            {"orchestrator":{"model":"agent"},
             "models":{"agent":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"agent-model","price":{"input_per_million":1,"output_per_million":2}},
                       "user":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"user-model","price":{"input_per_million":1,"output_per_million":1}}},
             "limits":{"max_retries":0}}
            """);
        _server.Script("user-model", new FakeReply(task["user_scenario"]!["instructions"]!["reason_for_call"]!.GetValue<string>()), new FakeReply("Thanks ###STOP###"));
        foreach (var action in criteria["actions"]!.AsArray())
            _server.Script("agent-model", FakeReply.Call(action!["name"]!.GetValue<string>(), action["arguments"]!));
        var infos = criteria["communicate_info"]!.AsArray().Select(i => i!.GetValue<string>());
        _server.Script("agent-model", new FakeReply("Done: " + string.Join("; ", infos)));
        var results = Path.Combine(_dir, "results.json");

        var r = await OrchestraProcess.RunAsync("tau2", "run", "--config", catalog, "--data-dir", data, "--domain", "bank",
            "--task-ids", task["id"]!.GetValue<string>(), "--agent", "plain", "--user-model", "user", "--out", results, "--json");

        r.ExitCode.Should().Be(0, r.Stderr);
        JsonNode.Parse(r.Stdout)!["pass_hat_k"]!["pass^1"]!.GetValue<double>().Should().Be(1.0);
        var file = JsonNode.Parse(File.ReadAllText(results))!;
        file["info"]!["environment_info"]!["domain_name"]!.GetValue<string>().Should().Be("bank");
        file["tasks"]!.AsArray().Should().ContainSingle();
        var sim = file["simulations"]![0]!;
        sim["reward_info"]!["reward"]!.GetValue<double>().Should().Be(1.0);
        sim["messages"]!.AsArray().Count(m => m!["role"]!.GetValue<string>() == "tool").Should().Be(criteria["actions"]!.AsArray().Count);
        var report = await OrchestraProcess.RunAsync("tau2", "report", "--results", results, "--json");
        report.ExitCode.Should().Be(0, report.Stderr);
        var rescore = await OrchestraProcess.RunAsync("tau2", "rescore", "--data-dir", data, "--results", results, "--json");
        rescore.ExitCode.Should().Be(0, rescore.Stderr);
        JsonNode.Parse(rescore.Stdout)!["agree"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task A_killed_synth_resumes_and_ends_with_the_same_data_as_an_uninterrupted_run()
    {
        var killed = Path.Combine(_dir, "killed");
        string[] Args(string outDir) => ["synth", "--domains", "10", "--tasks-per-domain", "30", "--concurrency", "1", "--out", outDir];
        var first = OrchestraProcess.Start(Args(killed));
        await OrchestraProcess.KillWhenAsync(first, () => File.Exists(Path.Combine(killed, "domains", "bank", "synth-report.json")));
        File.Exists(Path.Combine(killed, "toolscale.jsonl")).Should().BeFalse("the run was killed before the end");

        var resumed = await OrchestraProcess.RunAsync(Args(killed));
        resumed.ExitCode.Should().Be(0, resumed.Stderr);
        resumed.Stderr.Should().Contain("bank: already done (30 tasks), resumed");
        var fresh = await OrchestraProcess.RunAsync(Args(Path.Combine(_dir, "fresh")));
        fresh.ExitCode.Should().Be(0, fresh.Stderr);
        File.ReadAllText(Path.Combine(killed, "toolscale.jsonl")).Should().Be(File.ReadAllText(Path.Combine(_dir, "fresh", "toolscale.jsonl")));
        Directory.GetDirectories(Path.Combine(killed, "domains")).Should().HaveCount(10).And.OnlyContain(d => !Path.GetFileName(d).StartsWith('.'));
    }

    [Theory]
    [InlineData("--backend", "llm", "--backend llm needs --config CATALOG")]
    [InlineData("--backend", "gpt", "--backend must be 'offline' or 'llm'")]
    [InlineData("--tasks-per-domain", "0", "--tasks-per-domain must be between 1 and 100000")]
    public async Task Bad_options_exit_2_with_the_fix(string option, string value, string message)
    {
        var r = await OrchestraProcess.RunAsync("synth", "--out", Path.Combine(_dir, "bad"), option, value);
        r.ExitCode.Should().Be(2);
        r.Stderr.Should().Contain(message).And.NotContain("   at ");
    }
}
