using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// <c>orchestra rollout</c> keeps its work: groups are written as they finish, a kill -9 mid-run loses only the groups in
/// flight, a rerun with the same <c>--out</c> does only the missing groups, and one broken reply costs one rollout.
/// The fake endpoint answers by the request's seed, so a rollout's result does not depend on which run made it.
/// </summary>
public sealed class RolloutResumeTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("rollout-cli").FullName;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = request =>
        {
            var seed = request.Body["seed"]?.GetValue<long>() ?? 0;
            var delay = TimeSpan.FromMilliseconds(40);
            if (request.Model == "orch-8b")
                return seed % 7 == 3 ? FakeReply.Broken(FakeFault.EmptyChoices) with { Delay = delay }
                    : FakeReply.Slow(delay, FakeReply.Call("answer", new { model = "answer-1" }));
            return FakeReply.Slow(delay, new FakeReply(seed % 2 == 0 ? "<answer>4</answer>" : "<answer>5</answer>"));
        };
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private (string Catalog, string Tasks) Inputs(int tasks)
    {
        var catalog = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(catalog, $$$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.2}},
                       "gpt-5":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"},
             "limits":{"max_retries":0,"max_turns":3}}
            """);
        var path = Path.Combine(_dir, "tasks.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, tasks).Select(i => $$"""{"id":"t{{i}}","problem":"What is 2+2? ({{i}})","answer":"4"}"""));
        return (catalog, path);
    }

    private string[] Rollout(string catalog, string tasks, string output) =>
        ["rollout", "--config", catalog, "--tasks", tasks, "--group", "4", "--concurrency", "2", "--no-code", "--out", output];

    [Fact]
    public async Task A_second_rollout_through_a_warm_response_cache_makes_no_request_and_writes_the_same_samples()
    {
        _server.Fallback = request => request.Model == "orch-8b"
            ? FakeReply.Call("answer", new { model = "answer-1" })
            : new FakeReply((request.Body["seed"]?.GetValue<long>() ?? 0) % 2 == 0 ? "<answer>4</answer>" : "<answer>5</answer>");
        var (catalog, tasks) = Inputs(3);
        var cache = Path.Combine(_dir, "responses.db");
        var cold = await OrchestraProcess.RunAsync([.. Rollout(catalog, tasks, Path.Combine(_dir, "cold.jsonl")), "--cache", cache, "--json"]);
        cold.ExitCode.Should().Be(0, cold.Stderr);
        var requests = _server.Requests.Count;
        JsonNode.Parse(cold.Stdout)!["cache"]!["misses"]!.GetValue<long>().Should().Be(requests, "each rollout's seed makes its requests its own");

        var warm = await OrchestraProcess.RunAsync([.. Rollout(catalog, tasks, Path.Combine(_dir, "warm.jsonl")), "--cache", cache, "--json"]);
        warm.ExitCode.Should().Be(0, warm.Stderr);
        _server.Requests.Should().HaveCount(requests);
        var stats = JsonNode.Parse(warm.Stdout)!["cache"]!;
        (stats["hits"]!.GetValue<long>(), stats["misses"]!.GetValue<long>(), stats["paid_usd"]!.GetValue<decimal>()).Should().Be((requests, 0L, 0m));
        // Groups are written as they finish, so their order may differ; every line is the same.
        File.ReadAllLines(Path.Combine(_dir, "warm.jsonl")).Should().NotBeEmpty().And.BeEquivalentTo(File.ReadAllLines(Path.Combine(_dir, "cold.jsonl")), "the same rewards and advantages");
    }

    [Fact]
    public async Task A_run_killed_mid_way_and_rerun_has_exactly_the_groups_of_a_clean_run()
    {
        var (catalog, tasks) = Inputs(8);
        var clean = Path.Combine(_dir, "clean.jsonl");
        var resumed = Path.Combine(_dir, "resumed.jsonl");
        var progress = resumed + ".groups.jsonl";

        var first = OrchestraProcess.Start(Rollout(catalog, tasks, resumed));
        await OrchestraProcess.KillWhenAsync(first, () => File.Exists(progress) && File.ReadAllText(progress).Contains('\n'));
        var writtenBeforeKill = File.ReadAllLines(progress).Length;
        var rerun = await OrchestraProcess.RunAsync(Rollout(catalog, tasks, resumed));
        var reference = await OrchestraProcess.RunAsync(Rollout(catalog, tasks, clean));

        writtenBeforeKill.Should().BeInRange(1, 7, "the kill came after the first group and before the last");
        rerun.ExitCode.Should().Be(0, rerun.Stderr);
        rerun.Stderr.Should().Contain("Resuming");
        rerun.Stdout.Should().Contain($"skipped {writtenBeforeKill} groups");
        reference.ExitCode.Should().Be(0, reference.Stderr);
        var groups = File.ReadAllLines(progress).Select(l => JsonNode.Parse(l)!["task_id"]!.GetValue<string>()).ToList();
        groups.Should().OnlyHaveUniqueItems().And.HaveCount(8);
        var resumedLines = File.ReadAllLines(resumed);
        resumedLines.Should().OnlyHaveUniqueItems("no turn is written twice").And.NotBeEmpty();
        resumedLines.Should().BeEquivalentTo(File.ReadAllLines(clean), "nothing is lost and nothing repeated");
    }

    [Fact]
    public async Task A_torn_last_line_and_a_half_written_group_are_dropped_and_redone()
    {
        var (catalog, tasks) = Inputs(3);
        var output = Path.Combine(_dir, "samples.jsonl");
        var done = await OrchestraProcess.RunAsync(Rollout(catalog, tasks, output));
        done.ExitCode.Should().Be(0, done.Stderr);
        var whole = File.ReadAllLines(output);
        var progress = File.ReadAllLines(output + ".groups.jsonl");
        // As a kill between writing the last group's samples and its record leaves it, with a torn record on top.
        File.WriteAllLines(output + ".groups.jsonl", progress[..^1]);
        File.AppendAllText(output + ".groups.jsonl", progress[^1][..10]);
        File.AppendAllText(output, whole[0][..20]);

        var rerun = await OrchestraProcess.RunAsync(Rollout(catalog, tasks, output));

        rerun.ExitCode.Should().Be(0, rerun.Stderr);
        rerun.Stdout.Should().Contain("skipped 2 groups");
        File.ReadAllLines(output).Should().BeEquivalentTo(whole);
        File.ReadAllLines(output + ".groups.jsonl").Should().HaveCount(3);
    }

    [Fact]
    public async Task A_broken_orchestrator_reply_ends_that_rollout_and_its_group_still_scores()
    {
        var (catalog, tasks) = Inputs(4);
        var output = Path.Combine(_dir, "samples.jsonl");

        var r = await OrchestraProcess.RunAsync(Rollout(catalog, tasks, output));

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("16 rollouts of 4 tasks");
        _server.Requests.Should().Contain(q => q.Model == "orch-8b" && q.Body["seed"]!.GetValue<long>() % 7 == 3, "some rollout met a broken reply");
        File.ReadAllLines(output + ".groups.jsonl").Should().HaveCount(4);
        File.ReadAllLines(output).Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_samples_file_without_its_progress_file_is_refused_rather_than_overwritten()
    {
        var (catalog, tasks) = Inputs(1);
        var output = Path.Combine(_dir, "old.jsonl");
        File.WriteAllText(output, "{\"old\":true}\n");

        var r = await OrchestraProcess.RunAsync(Rollout(catalog, tasks, output));

        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Should().StartWith($"error: {output}: already holds samples").And.NotContain("   at ");
        File.ReadAllText(output).Should().Be("{\"old\":true}\n");
    }
}
