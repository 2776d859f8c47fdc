using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Evaluation.Tests.Harness;

/// <summary>The runner's bookkeeping with a benchmark whose samples the test controls.</summary>
public sealed class EvalRunnerTests : IDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), $"runner-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        foreach (var f in new[] { _store, _store + "-wal", _store + "-shm" }) if (File.Exists(f)) File.Delete(f);
    }

    /// <summary>Samples s0..s(n-1): "boom" ones throw, the rest answer after a short wait (cancellable).</summary>
    private sealed class Controlled(int count, params string[] boom) : IEvalBenchmark
    {
        public int Started;
        public string Orchestrator => "test";
        public bool Simulated => true;
        public IReadOnlyList<EvalItem> Items { get; } = Enumerable.Range(0, count).Select(i => new EvalItem($"s{i}", $"t{i}")).ToList();
        public IReadOnlyList<string> Notes => [];
        public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

        public async Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct)
        {
            Interlocked.Increment(ref Started);
            if (boom.Contains(item.SampleId)) throw new InvalidOperationException("endpoint on fire");
            await Task.Delay(30, ct);
            return new EvalSample(runId, item.SampleId) { TaskId = item.TaskId, Correct = true, Reward = 1, VerdictSource = "exact" };
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private EvalRunOptions Options => new() { Benchmark = "test", Store = _store, RunId = "r", Concurrency = 2 };

    [Fact]
    public async Task Cancelling_mid_run_keeps_the_finished_samples_and_a_rerun_does_only_the_rest()
    {
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(_store));
        using var cts = new CancellationTokenSource();
        var finished = 0;
        var act = () => EvalRunner.RunAsync(Options, store, new Controlled(12), _ => { if (Interlocked.Increment(ref finished) == 4) cts.Cancel(); }, cts.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        var kept = (await store.LoadSamplesAsync("r")).Count;
        kept.Should().BeInRange(4, 11, "what finished is stored; what was in flight is not");

        var rerun = new Controlled(12);
        var summary = await EvalRunner.RunAsync(Options, store, rerun);
        summary.SkippedDone.Should().Be(kept);
        rerun.Started.Should().Be(12 - kept);
        (await store.LoadSamplesAsync("r")).Select(s => s.SampleId).Should().OnlyHaveUniqueItems().And.HaveCount(12);
    }

    [Fact]
    public async Task An_exception_is_a_failed_sample_with_its_message_and_the_limit_and_shard_apply_before_running()
    {
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(_store));
        var bench = new Controlled(10, "s1");
        var summary = await EvalRunner.RunAsync(Options with { Limit = 6, Shard = new ShardSpec(1, 2) }, store, bench);
        var mine = bench.Items.Take(6).Count(i => new ShardSpec(1, 2).Includes(i.SampleId));
        summary.Samples.Should().Be(mine);
        bench.Started.Should().Be(mine);
        var samples = await store.LoadSamplesAsync("r");
        samples.Should().OnlyContain(s => s.Shard == "1/2" && s.WallSeconds >= 0);
        if (samples.SingleOrDefault(s => s.SampleId == "s1") is { } failed)
            failed.Should().Match<EvalSample>(s => s.Status == SampleStatus.Failed && s.Error!.Contains("endpoint on fire") && s.Correct == null);
    }

    [Fact]
    public void Setups_derive_the_catalog_the_paper_describes()
    {
        var catalog = new Catalog(new OrchestratorSettings("orch"),
            new Dictionary<string, ModelEntry>
            {
                ["orch"] = new("orch", "http://x/v1", "o", new Price(0.2m, 0.6m), []),
                ["gpt-5"] = new("gpt-5", "http://x/v1", "gpt-5", new Price(1.25m, 10m), []),
                ["qwen"] = new("qwen", "http://x/v1", "qwen", new Price(0.1m, 0.1m), ["local"]),
            },
            new Dictionary<string, AliasEntry> { ["search-1"] = new("search-1", "gpt-5"), ["answer-4"] = new("answer-4", "qwen") },
            new ToolPrices(), new Limits());
        var basic = EvalSetups.Derive(catalog, EvalSetup.Basic, "qwen");
        basic.Orchestrator.Model.Should().Be("qwen");
        basic.Aliases.Values.Should().OnlyContain(a => a.Model == "qwen");
        var orchestrated = EvalSetups.Derive(catalog, EvalSetup.Orchestrated, "gpt-5");
        orchestrated.Orchestrator.Model.Should().Be("gpt-5");
        orchestrated.Aliases["answer-4"].Model.Should().Be("qwen", "the full catalog stays");
        FluentActions.Invoking(() => EvalSetups.Derive(catalog, EvalSetup.Direct, "claude")).Should().Throw<UserError>().WithMessage("*'claude' is not a model*gpt-5, orch, qwen*");
        FluentActions.Invoking(() => EvalSetups.Parse("tools")).Should().Throw<UserError>().WithMessage("*direct*basic*orchestrated*");
    }
}
