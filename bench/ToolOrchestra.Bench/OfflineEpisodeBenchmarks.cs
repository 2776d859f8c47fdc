using BenchmarkDotNet.Attributes;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Policy.Baselines;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Bench;

/// <summary>
/// One offline-world episode through the real runtime (QaEpisodeRunner, ledger → hermes → retry client stack,
/// simulated experts on a virtual clock, the FTS5 index, the code-hash cache warm): the unit of `orchestra demo`'s
/// training. Episodes per second = 1 / mean. Run:
/// dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*OfflineEpisodeBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class OfflineEpisodeBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-bench-episodes");
    private OfflineEpisodes _episodes = null!;
    private WorldTask _lookup = null!;
    private WorldTask _arithmetic = null!;
    private SoftmaxPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        var world = World.Generate(1);
        var catalog = SimulatedCatalog.Create();
        var code = new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10 }, catalog.ToolPrices));
        _episodes = new OfflineEpisodes(world, catalog, WorldRetrieval.Build(world, _dir, catalog.ToolPrices), code);
        _lookup = world.TestTasks.First(t => t.Family == TaskFamily.Lookup);
        _arithmetic = world.TestTasks.First(t => t.Family == TaskFamily.Arithmetic && t.FactIds.Count == 1);
        _policy = SoftmaxPolicy.Create(seed: 1);
        // Warm the code cache so the benchmark measures the runtime, not python start-up.
        SearchComputeAnswer().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "episode: search-3 → answer-4")]
    public async Task<bool> SearchThenAnswer() =>
        (await _episodes.RunAsync(_lookup, _ => new ScriptedQaPolicy("s", "search-3", "answer-4"), seed: 1)).Solved;

    [Benchmark(Description = "episode: search-3 → reasoner-3 → answer-4 (cached code)")]
    public async Task<bool> SearchComputeAnswer() =>
        (await _episodes.RunAsync(_arithmetic, _ => new ScriptedQaPolicy("s", "search-3", "reasoner-3", "answer-4"), seed: 1)).Solved;

    [Benchmark(Description = "episode: learned policy, sampling (training rollout)")]
    public async Task<int> LearnedRollout()
    {
        var learner = new LearnedQaPolicy(_policy, new Random(3));
        await _episodes.RunAsync(_lookup, _ => learner, seed: 3);
        return learner.Steps.Count;
    }
}
