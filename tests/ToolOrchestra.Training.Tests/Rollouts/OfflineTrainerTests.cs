using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tests.Rollouts;

/// <summary>GRPO training in the offline world uses every core it is given and still gives the same weights.</summary>
public sealed class OfflineTrainerTests : IDisposable
{
    private static readonly World World = World.Generate(5, WorldOptions.Small with { TasksPerFamily = 20 });
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-trainer-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_same_seed_gives_bit_identical_weights_at_parallelism_1_and_4()
    {
        var catalog = SimulatedCatalog.Create();
        var episodes = new OfflineEpisodes(World, catalog, WorldRetrieval.Build(World, _dir, catalog.ToolPrices),
            new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20 }, catalog.ToolPrices)));

        async Task<(double[] Weights, IReadOnlyList<TrainingStepReport> Curve)> Train(int parallelism)
        {
            var policy = SoftmaxPolicy.Create(seed: 5);
            var curve = await new OfflineTrainer(episodes, policy, new OfflineTrainingOptions(Steps: 3, Seed: 5, Parallelism: parallelism,
                Curriculum: PreferenceProfiles.Curriculum)).TrainAsync();
            return (policy.Weights, curve);
        }

        var one = await Train(1);
        var four = await Train(4);

        one.Weights.Should().NotEqual(SoftmaxPolicy.Create(seed: 5).Weights, "training moved the weights");
        four.Weights.Select(BitConverter.DoubleToInt64Bits).Should().Equal(one.Weights.Select(BitConverter.DoubleToInt64Bits));
        four.Curve.Should().BeEquivalentTo(one.Curve, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Episodes_that_never_await_still_run_at_once()
    {
        // Offline episodes complete synchronously; a batch must still spread them over workers, not run them in turn.
        using var both = new Barrier(2);
        var met = await EpisodeBatch.RunAsync(2, parallelism: 2,
            (_, _) => Task.FromResult(both.SignalAndWait(TimeSpan.FromSeconds(20))), CancellationToken.None);

        met.Should().Equal(true, true);
    }

    [Fact]
    public async Task A_batch_returns_results_in_index_order_whatever_finishes_first()
    {
        var results = await EpisodeBatch.RunAsync(20, parallelism: 4, async (i, ct) =>
        {
            await Task.Delay((20 - i) % 7, ct);
            return i * i;
        }, CancellationToken.None);

        results.Should().Equal(Enumerable.Range(0, 20).Select(i => i * i));
    }
}
