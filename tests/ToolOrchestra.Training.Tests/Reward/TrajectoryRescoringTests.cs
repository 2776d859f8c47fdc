using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Reward;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tests.Reward;

public sealed class TrajectoryRescoringTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rescoring-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Saved_trajectories_rescore_to_exactly_the_reward_training_gave_them()
    {
        var world = World.Generate(3, WorldOptions.Small with { TasksPerFamily = 12 });
        var catalog = SimulatedCatalog.Create();
        var episodes = new OfflineEpisodes(world, catalog, WorldRetrieval.Build(world, _dir, catalog.ToolPrices),
            new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20 }, catalog.ToolPrices)));
        var trainer = new OfflineTrainer(episodes, SoftmaxPolicy.Create(seed: 5),
            new OfflineTrainingOptions(Steps: 2, TasksPerStep: 4, Group: 4, Seed: 5, Curriculum: PreferenceProfiles.Curriculum));
        await trainer.TrainAsync();

        // Saved as the demo saves them, read back from disk.
        var file = Path.Combine(_dir, "train-last-step.jsonl");
        await File.WriteAllLinesAsync(file, trainer.LastStepEpisodes.Select(o => JsonSerializer.Serialize(new { trajectory = o.Trajectory }, OrchestraJson.Compact)));
        var saved = RunStore.LoadAll(file);

        var rescored = TrajectoryRescoring.Rescore(saved.Select(t => (file, t)));

        rescored.Should().HaveCount(16);
        rescored.ToDictionary(r => r.Id, r => r.Reward).Should().Equal(trainer.LastStepRewards);
        rescored.Select(r => r.Group).Distinct().Should().HaveCount(4);
        rescored.Should().Contain(r => r.Reward > 0, "some rollouts were solved");
        saved.Should().OnlyContain(t => t.Preferences != null && t.Outcome != null);
    }

    [Fact]
    public void A_trajectory_that_was_never_judged_is_refused_naming_the_file()
    {
        var t = new Trajectory("t1", "qa", "q", null, [], "a", StopReason.Answered, null, 0, 0, 0, [], DateTimeOffset.UnixEpoch, Preferences.None);
        FluentActions.Invoking(() => TrajectoryRescoring.Rescore([("runs/t1.jsonl", t)]))
            .Should().Throw<UserError>().WithMessage("runs/t1.jsonl: trajectory 't1' has no outcome*");
    }
}
