using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Evaluation.Tests.Harness;

/// <summary>
/// The offline world as a benchmark, its simulated experts over real HTTP: its numbers equal the demo's in-process
/// evaluation for the same seed and policy, and shards merged (SQLite) or written to one store (PostgreSQL) equal the
/// unsharded run.
/// </summary>
public sealed class OfflineBenchmarkTests : IDisposable
{
    private const int Seed = 3;
    private readonly string _dir = Directory.CreateTempSubdirectory("offline-bench").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private EvalRunOptions Options(string store, string runId, string? policy = null) => new()
    {
        Benchmark = "offline", Store = store, RunId = runId, Seed = Seed, WorldSize = "small", Policy = policy, Concurrency = 3,
    };

    private static async Task<(EvalRunSummary, IReadOnlyList<EvalSample>)> RunAsync(EvalRunOptions options)
    {
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(options.Store));
        await using var benchmark = await EvalBenchmarks.CreateAsync(options, store, default);
        var summary = await EvalRunner.RunAsync(options, store, benchmark);
        return (summary, await store.LoadSamplesAsync(options.RunId));
    }

    /// <summary>The demo's evaluation of a policy on the same world, in-process (no HTTP).</summary>
    private async Task<IReadOnlyList<EpisodeOutcome>> DemoAsync(EvaluatedPolicy policy)
    {
        var world = World.Generate(Seed, WorldOptions.Small);
        var catalog = SimulatedCatalog.Create();
        var retriever = WorldRetrieval.Build(world, Path.Combine(_dir, "demo-world"), catalog.ToolPrices);
        var code = new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10, MemoryMb = 512 }, catalog.ToolPrices), Path.Combine(_dir, "demo-cache"));
        var episodes = new OfflineEpisodes(world, catalog, retriever, code);
        var (_, outcomes) = await PolicyEvaluation.RunAsync(episodes, policy, world.TestTasks.ToList(), Seed);
        return outcomes;
    }

    private static void ShouldMatch(IReadOnlyList<EvalSample> samples, IReadOnlyList<EpisodeOutcome> demo)
    {
        samples.Should().HaveCount(demo.Count);
        var byId = samples.ToDictionary(s => s.SampleId);
        foreach (var o in demo)
        {
            var s = byId[o.Task.Id];
            s.Correct.Should().Be(o.Solved, o.Task.Id);
            s.Answer.Should().Be(o.Trajectory.Answer, o.Task.Id);
            s.CostUsd.Should().Be(o.Trajectory.CostUsd, o.Task.Id);
            s.ToolSeconds.Should().BeApproximately(o.Trajectory.LatencySeconds, 1e-9, o.Task.Id);
            s.Turns.Should().Be(o.Trajectory.Turns.Count, o.Task.Id);
        }
    }

    [Fact]
    public async Task The_heuristic_llm_orchestrator_over_http_scores_exactly_as_the_demo_does()
    {
        var demo = await DemoAsync(new EvaluatedPolicy("heuristic", c => new LlmQaPolicy(c.Models.For(SimulatedCatalog.OrchestratorModel), SimulatedCatalog.Create().Orchestrator)));
        var (summary, samples) = await RunAsync(Options(Path.Combine(_dir, "h.db"), "heuristic"));
        summary.Simulated.Should().BeTrue();
        summary.Orchestrator.Should().Contain("simulated");
        ShouldMatch(samples, demo);
        summary.Accuracy.Should().Be(demo.Count(o => o.Solved) / (double)demo.Count);
    }

    [Fact]
    public async Task The_learned_policy_from_a_weights_file_scores_exactly_as_the_demo_does()
    {
        var policy = SoftmaxPolicy.Create(seed: 7);
        var file = Path.Combine(_dir, "policy.json");
        PolicyWeightsFile.Save(policy, file);
        var demo = await DemoAsync(new EvaluatedPolicy("learned", _ => new LearnedQaPolicy(PolicyWeightsFile.Load(file))));
        var (summary, samples) = await RunAsync(Options(Path.Combine(_dir, "l.db"), "learned", file));
        summary.Orchestrator.Should().Be("learned:policy.json");
        ShouldMatch(samples, demo);
    }

    [Fact]
    public async Task A_report_with_preferences_scores_a_direct_run_beside_an_orchestrated_one()
    {
        // Table 1 always has direct baselines; a direct sample's trajectory is one call's prompt and reply, with no turns.
        var store = Path.Combine(_dir, "table1.db");
        var (direct, _) = await RunAsync(Options(store, "direct") with { Setup = "direct", Limit = 4 });
        var (orchestrated, _) = await RunAsync(Options(store, "orchestrated") with { Limit = 4 });
        (direct.Done, orchestrated.Done).Should().Be((4, 4));

        await using var opened = await EvalStore.OpenAsync(StoreLocation.Parse(store));
        var report = await EvalReport.BuildAsync(opened, new ReportRequest(["direct", "orchestrated"])
        {
            Preferences = [("cost", "cost.json", new Preferences(new Dictionary<string, double> { ["cost"] = 1 }, [], []))],
        });

        var rows = report.Preferences.Single().Runs;
        rows.Select(r => (r.RunId, r.Trajectories, r.Skipped)).Should().Equal(("direct", 4, 0), ("orchestrated", 4, 0));
        rows.Should().OnlyContain(r => r.MeanReward >= 0 && r.MeanReward <= 1);
        rows[0].PreferredCallShare.Should().Be(0, "the direct model chose no alias");
    }

    private static string Key(EvalSample s) =>
        $"{s.SampleId}|{s.Status}|{s.Answer}|{s.Correct}|{s.CostUsd}|{s.ToolSeconds:R}|{s.Turns}|{s.StopReason}|{s.CallsJson}";

    [Fact]
    public async Task Shards_merged_equal_the_unsharded_run_and_a_conflicting_duplicate_is_refused()
    {
        var (whole, unsharded) = await RunAsync(Options(Path.Combine(_dir, "whole.db"), "r"));
        var (s1, _) = await RunAsync(Options(Path.Combine(_dir, "s1.db"), "r") with { Shard = new ShardSpec(1, 2) });
        var (s2, _) = await RunAsync(Options(Path.Combine(_dir, "s2.db"), "r") with { Shard = new ShardSpec(2, 2) });
        (s1.Samples + s2.Samples).Should().Be(whole.Samples);
        s1.Samples.Should().BeGreaterThan(0);
        s2.Samples.Should().BeGreaterThan(0);

        var merged = Path.Combine(_dir, "merged.db");
        var result = await EvalMerge.MergeAsync(merged, [Path.Combine(_dir, "s1.db"), Path.Combine(_dir, "s2.db")]);
        result.Samples.Should().Be(whole.Samples);
        await using (var store = await EvalStore.OpenAsync(StoreLocation.Parse(merged)))
            (await store.LoadSamplesAsync("r")).Select(Key).Order(StringComparer.Ordinal).Should().Equal(unsharded.Select(Key).Order(StringComparer.Ordinal));

        // Merging a shard again, or the unsharded run (the offline world replays exactly), finds identical duplicates;
        // a shard whose sample says something else is a conflict, refused before anything is written.
        (await EvalMerge.MergeAsync(merged, [Path.Combine(_dir, "s1.db"), Path.Combine(_dir, "whole.db")])).Identical.Should().Be(s1.Samples + whole.Samples);
        var twice = await EvalMerge.MergeAsync(Path.Combine(_dir, "twice.db"), [Path.Combine(_dir, "s1.db"), Path.Combine(_dir, "s1.db")]);
        (twice.Samples, twice.Identical).Should().Be((s1.Samples, s1.Samples), "a shard given twice is copied once");
        await using (var store = await EvalStore.OpenAsync(StoreLocation.Parse(Path.Combine(_dir, "twice.db"))))
            (await store.LoadSamplesAsync("r")).Should().HaveCount(s1.Samples);
        var tampered = Path.Combine(_dir, "tampered.db");
        await using (var source = await EvalStore.OpenAsync(StoreLocation.Parse(Path.Combine(_dir, "s1.db"))))
        await using (var store = await EvalStore.OpenAsync(StoreLocation.Parse(tampered)))
        {
            await store.BeginRunAsync((await source.LoadRunsAsync()).Single());
            var first = (await source.LoadSamplesAsync("r", withTrajectories: true))[0];
            await store.SaveSampleAsync(first with { Answer = "something else", Correct = !first.Correct });
        }
        var act = () => EvalMerge.MergeAsync(Path.Combine(_dir, "conflict.db"), [Path.Combine(_dir, "s1.db"), tampered]);
        (await act.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("differs between").And.Contain("s1.db").And.Contain("tampered.db");
        File.Exists(Path.Combine(_dir, "conflict.db")).Should().BeFalse("a refused merge writes nothing");
    }

    [Fact]
    public async Task Shards_writing_to_one_postgres_store_equal_the_unsharded_run()
    {
        await using var pg = await LocalPostgres.StartAsync();
        var url = pg.Url(pg.CreateDatabase("evalshards"));
        var (_, unsharded) = await RunAsync(Options(Path.Combine(_dir, "whole-pg.db"), "r"));
        await Task.WhenAll(
            RunAsync(Options(url, "r") with { Shard = new ShardSpec(1, 2) }),
            RunAsync(Options(url, "r") with { Shard = new ShardSpec(2, 2) }));
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(url));
        (await store.LoadSamplesAsync("r")).Select(Key).Order(StringComparer.Ordinal).Should().Equal(unsharded.Select(Key).Order(StringComparer.Ordinal));
    }
}
