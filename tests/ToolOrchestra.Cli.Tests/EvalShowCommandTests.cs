using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// <c>orchestra eval show</c> and the report's transcript links as a user meets them, over a store that
/// <c>orchestra eval run --benchmark offline</c> fills (the offline world's simulated experts: real runs, in seconds).
/// </summary>
public sealed class EvalShowCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eval-show-cli").FullName;
    private string _store = null!;

    private static readonly string[] Keys =
    [
        "run_id", "sample_id", "task_id", "status", "question", "gold", "answer", "verdict", "correct", "reward", "verdict_source", "judge_model",
        "judge_reasoning", "stop_reason", "error", "turns", "calls", "cost_usd", "judge_cost_usd", "latency_s", "wall_s", "simulated",
    ];

    public async Task InitializeAsync()
    {
        _store = Path.Combine(_dir, "eval.db");
        foreach (var (run, setup) in new[] { ("orch", "orchestrated"), ("direct", "direct") })
        {
            var r = await OrchestraProcess.RunAsync("eval", "run", "--benchmark", "offline", "--world-size", "small", "--setup", setup,
                "--orchestrator", setup == "direct" ? "gpt-5" : "qwen3-8b", "--limit", "2", "--store", _store, "--run-id", run, "--json");
            r.ExitCode.Should().Be(0, r.Stderr);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Show_prints_a_samples_question_answer_turns_and_calls()
    {
        var json = await OrchestraProcess.RunAsync("eval", "show", "--store", _store, "orch", "--json");
        json.ExitCode.Should().Be(0, json.Stderr);
        var samples = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        samples.Should().HaveCount(2, "every sample of the run, one JSON object per line");
        foreach (var s in samples) s.Select(kv => kv.Key).Should().BeEquivalentTo(Keys, "every key is present, null when absent");
        var first = samples[0];
        var id = first["sample_id"]!.GetValue<string>();
        var tool = first["turns"]![0]!["tool"]!.GetValue<string>();
        var alias = first["calls"]!.AsArray().Select(c => c!["alias"]?.GetValue<string>()).First(a => a is not null)!;

        var text = await OrchestraProcess.RunAsync("eval", "show", "--store", _store, "orch", id);
        text.ExitCode.Should().Be(0, text.Stderr);
        first["simulated"]!.GetValue<bool>().Should().BeTrue("an offline run's experts are simulated");
        text.Stdout.Should().Contain($"== orch · {id} · SIMULATED experts ==")
            .And.Contain(first["question"]!.GetValue<string>())
            .And.Contain("answer:    " + first["answer"]!.GetValue<string>())
            .And.Contain("gold:      " + first["gold"]!.GetValue<string>())
            .And.MatchRegex("verdict: +(correct|wrong) \\(exact match\\)")
            .And.Contain($"1. orchestrator {tool}")
            .And.Contain("tokens in").And.Contain(alias);
        Regex.Matches(text.Stdout, "^== ", RegexOptions.Multiline).Should().HaveCount(1, "only the named sample");

        var direct = await OrchestraProcess.RunAsync("eval", "show", "--store", _store, "direct", id, "--json");
        direct.ExitCode.Should().Be(0, direct.Stderr);
        var answered = JsonNode.Parse(direct.Stdout)!;
        answered["turns"]![0]!["model"]!.GetValue<string>().Should().Be("gpt-5");
        answered["judge_reasoning"].Should().BeNull();
    }

    [Fact]
    public async Task Unknown_run_or_sample_is_one_line_naming_what_exists()
    {
        var run = await OrchestraProcess.RunAsync("eval", "show", "--store", _store, "nope");
        run.ExitCode.Should().Be(2);
        run.Stderr.Trim().Should().NotContain("\n").And.Contain("run 'nope' is not in").And.Contain("orch").And.Contain("direct");

        var sample = await OrchestraProcess.RunAsync("eval", "show", "--store", _store, "orch", "no-such-sample");
        sample.ExitCode.Should().Be(2);
        sample.Stderr.Trim().Should().NotContain("\n").And.Contain("sample 'no-such-sample' is not in run 'orch'").And.Contain("lookup-");
    }

    [Fact]
    public async Task Report_without_run_ids_covers_every_run_and_its_html_links_resolve()
    {
        var help = await OrchestraProcess.RunAsync("eval", "--help");
        help.Stdout.Should().Contain("report").And.Contain("show");

        var json = await OrchestraProcess.RunAsync("eval", "report", "--store", _store, "--json");
        json.ExitCode.Should().Be(0, json.Stderr);
        JsonNode.Parse(json.Stdout)!["runs"]!.AsArray().Select(r => r!["run_id"]!.GetValue<string>()).Should().Equal("orch", "direct");

        var outDir = Path.Combine(_dir, "report");
        var files = await OrchestraProcess.RunAsync("eval", "report", "--store", _store, "--out", outDir, "--format", "html");
        files.ExitCode.Should().Be(0, files.Stderr);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        var ids = Regex.Matches(html, "\\sid=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToHashSet();
        var hrefs = Regex.Matches(html, "href=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        hrefs.Count(h => h.StartsWith("#sample-", StringComparison.Ordinal)).Should().Be(4, "each sample of both runs links to its transcript");
        foreach (var href in hrefs)
        {
            if (href.StartsWith('#')) ids.Should().Contain(href[1..], "every in-page link has its target");
            else if (!href.Contains("://", StringComparison.Ordinal)) File.Exists(Path.Combine(outDir, href)).Should().BeTrue(href);
        }
    }
}
