using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy.Baselines;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tests.Rollouts;

/// <summary>Episodes of world tasks through the real runtime with in-process simulated experts on virtual time.</summary>
public sealed class OfflineEpisodesTests : IDisposable
{
    private static readonly World World = World.Generate(6, WorldOptions.Small with { TasksPerFamily = 20 });
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-episodes-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly OfflineEpisodes _episodes;

    public OfflineEpisodesTests()
    {
        var catalog = SimulatedCatalog.Create();
        _episodes = new OfflineEpisodes(World, catalog, WorldRetrieval.Build(World, _dir, catalog.ToolPrices),
            new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20 }, catalog.ToolPrices)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_ledger_reads_the_simulated_seconds_and_dollars_and_the_same_seed_replays_the_episode()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Arithmetic && t.FactIds.Count == 1);
        var script = new ScriptedQaPolicy("pipeline", "search-1", "reasoner-1", "answer-1");

        var a = await _episodes.RunAsync(task, _ => script, seed: 9);
        var b = await _episodes.RunAsync(task, _ => script, seed: 9);

        a.Trajectory.StopReason.Should().Be(StopReason.Answered);
        var experts = a.Trajectory.Ledger.Where(e => e.Kind == CallKind.Expert).ToList();
        experts.Select(e => e.Alias).Should().Equal("search-1", "reasoner-1", "answer-1");
        experts.Should().OnlyContain(e => e.Model == "gpt-5" && e.LatencySeconds > 5 && !e.TokensEstimated, "GPT-5 is modelled at tens of seconds a call");
        a.Trajectory.Ledger.Single(e => e.Kind == CallKind.Code).LatencySeconds.Should().Be(VirtualTimeCodeRunner.DefaultSecondsPerRun);
        a.Trajectory.WallSeconds.Should().BeApproximately(a.Trajectory.LatencySeconds, 1e-6, "on the virtual clock only tool calls take time");
        a.Trajectory.StartedAt.Should().Be(VirtualClock.Epoch);
        a.Solved.Should().Be(task.IsCorrect(a.Trajectory.Answer));

        b.Trajectory.Ledger.Should().Equal(a.Trajectory.Ledger);
        b.Trajectory.Answer.Should().Be(a.Trajectory.Answer);
    }

    [Fact]
    public async Task Hard_constraints_hold_for_every_policy_in_the_offline_world()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Lookup);
        var onlyLocal = new Preferences(new Dictionary<string, double> { ["accuracy"] = 1 }, ["local"], []);

        var outcome = await _episodes.RunAsync(task, c => new RandomQaPolicy(new Random(c.Seed)), seed: 4, onlyLocal);
        var scripted = await _episodes.RunAsync(task, _ => new ScriptedQaPolicy("strong", "search-1", "answer-1"), seed: 4, onlyLocal);

        foreach (var o in new[] { outcome, scripted })
            o.Trajectory.Ledger.Where(e => e.Alias is not null).Should()
                .OnlyContain(e => _episodes.Catalog.Models[_episodes.Catalog.Aliases[e.Alias!].Model].HasTag("local"));
    }

    [Fact]
    public async Task A_curriculum_gives_each_training_group_a_drawn_profile_instead_of_its_tasks_own()
    {
        var local = PreferenceProfiles.Default.Single(p => p.Name == "prefer-local");
        var options = new OfflineTrainingOptions(Steps: 2, TasksPerStep: 3, Group: 2, Seed: 1, Curriculum: [local]);
        var trainer = new OfflineTrainer(_episodes, ToolOrchestra.Training.Policy.SoftmaxPolicy.Create(seed: 1), options);

        await trainer.TrainAsync();

        World.TrainTasks.Should().Contain(t => t.PreferenceProfile != local.Name, "the tasks carry other profiles");
        trainer.LastStepEpisodes.Should().HaveCount(6).And.OnlyContain(e => e.Trajectory.PreferencesText == local.Preferences.Describe());

        var act = () => new OfflineTrainingOptions(Curriculum: []).Validate();
        act.Should().Throw<UserError>().WithMessage("*curriculum*at least one profile*");
    }

    [Fact]
    public void Profiles_are_drawn_by_share()
    {
        IReadOnlyList<PreferenceProfile> profiles = [new("a", Preferences.None, 3), new("b", Preferences.None, 1)];
        Enumerable.Range(0, 8).Select(d => PreferenceProfile.Pick(profiles, d).Name).Should().Equal("a", "a", "a", "b", "a", "a", "a", "b");
    }
}
