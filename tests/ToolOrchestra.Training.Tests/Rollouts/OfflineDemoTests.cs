using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Training.Demo;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.Rollouts;

/// <summary>
/// The whole offline loop end to end, as <c>orchestra demo</c> runs it: world, real index, GRPO through the real runtime
/// with the real sandbox, held-out evaluation against baselines, files on disk.
/// </summary>
public sealed class OfflineDemoTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "toolorchestra-demo-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private DemoOptions Options(int steps, string sub) => new()
    {
        Seed = 3,
        Steps = steps,
        TasksPerStep = 8,
        Group = 8,
        World = WorldOptions.Small with { TasksPerFamily = 30 },
        Update = new GrpoUpdateOptions(LearningRate: 0.05), // a few dozen steps on a small world: larger steps than the demo's
        OutDirectory = Path.Combine(_dir, sub),
    };

    [Fact]
    public async Task Training_lifts_accuracy_and_the_trained_policy_beats_the_strongest_expert_alone_at_a_fraction_of_its_cost()
    {
        // Every task weighs cost or latency here, and training keeps each task's own preferences (the default curriculum
        // also trains on "none", where paying for GPT-5 is right).
        var costAware = PreferenceProfiles.Default.Where(p => p.Preferences.Weight(ToolOrchestra.Core.Preferences.Cost) > 0).ToList();
        var options = Options(30, "train");
        var result = await OfflineDemo.RunAsync(options with { World = options.World with { Profiles = costAware }, Curriculum = null });

        // Sampled training episodes: the policy starts near random, learns to search, compute and answer, and to do
        // it with cheap experts (the tasks' preferences weigh cost and latency).
        var first = result.Curve.Take(2).ToList();
        var last = result.Curve.TakeLast(5).ToList();
        last.Average(r => r.Accuracy).Should().BeGreaterThan(first.Average(r => r.Accuracy) + 0.1, "GRPO must improve the sampled policy within 30 steps");
        last.Average(r => r.DollarsPerEpisode).Should().BeLessThan(first.Average(r => r.DollarsPerEpisode) / 2);

        // Held out: more accurate than the strongest expert alone at a fraction of its dollars and seconds.
        var trained = result.Row(OfflineDemo.Trained);
        var untrained = result.Row(OfflineDemo.Untrained);
        var strongest = result.Row("answer-1 alone (strongest)");
        var random = result.Row("random");
        trained.Accuracy.Should().BeGreaterThan(random.Accuracy + 0.1);
        trained.Accuracy.Should().BeGreaterThanOrEqualTo(strongest.Accuracy);
        trained.DollarsPerTask.Should().BeLessThan(strongest.DollarsPerTask * 0.4m).And.BeLessThan(untrained.DollarsPerTask);
        trained.SecondsPerTask.Should().BeLessThan(strongest.SecondsPerTask * 0.5);
        result.Evaluation.Should().OnlyContain(r => r.ConstraintViolations == 0 && r.Tasks == result.TestTasks);

        // Generalisation without retraining: unseen experts behind two aliases, and a changed price table.
        result.Generalisation.Select(g => g.Catalog).Should().Equal("unseen experts", "changed prices");
        result.Generalisation.Should().OnlyContain(g => g.Evaluation.Tasks == result.TestTasks && g.Evaluation.ConstraintViolations == 0);
        result.Generalisation.Should().OnlyContain(g => Math.Abs(g.AccuracyRetained - g.Evaluation.Accuracy / trained.Accuracy) < 1e-12);
        result.Checks.GeneralisationAccuracyRetained.Should().BeGreaterThanOrEqualTo(0.9);
        result.Checks.StrongestAlonePolicy.Should().Be(strongest.Policy);
        result.Checks.CostBoundMet.Should().BeTrue();
        result.Checks.ConstraintViolations.Should().Be(0);
        var hard = result.PreferenceAdherence.Single(r => r.Policy.EndsWith(OfflineDemo.LocalOnlyHard.Name));
        hard.LocalCallShare.Should().Be(1, "only local models may be called under the hard constraint");
        hard.CallsPerAlias.Keys.Should().OnlyContain(a => PreferenceProfiles.LocalAliases.Contains(a));

        // What the user gets on disk: loadable weights, the curve, trajectories that say they are simulated.
        var (weights, notes) = PolicyWeightsFile.LoadWithNotes(result.Files["policy"]);
        weights.Weights.Should().NotEqual(SoftmaxPolicy.Create(seed: 3).Weights, "the saved weights are the trained ones");
        notes["world"].Should().Contain("simulated");
        File.ReadAllLines(result.Files["curve"]).Should().HaveCount(1 + 30);
        var trajectories = Directory.GetFiles(result.Files["trajectories"], "*.jsonl");
        trajectories.Should().HaveCount(result.Evaluation.Count + result.Generalisation.Count + 1);
        var line = File.ReadLines(Path.Combine(result.Files["trajectories"], "test-learned-grpo.jsonl")).First();
        JsonDocument.Parse(line).RootElement.GetProperty("simulated").GetBoolean().Should().BeTrue();
        File.ReadAllText(result.Files["calibration"]).Should().StartWith("Simulated expert profiles");
        File.ReadAllText(result.Files["report"]).Should().Contain("SIMULATED").And.Contain("![accuracy vs dollars](accuracy-vs-dollars.svg)")
            .And.Contain("## Generalisation").And.Contain(OfflineDemo.Trained);
        System.Xml.Linq.XDocument.Load(result.Files["chart_accuracy_vs_dollars"]).Root!.Name.LocalName.Should().Be("svg");
        System.Xml.Linq.XDocument.Load(result.Files["chart_calls_per_alias"]).Root!.Name.LocalName.Should().Be("svg");

        // The preference dial: the trained policy at increasing cost weights, in the report, its chart and the JSON.
        result.PreferenceSweep.Select(p => p.CostWeight).Should().Equal(PreferenceSweep.CostWeights);
        result.PreferenceSweep.Should().OnlyContain(p => p.Accuracy >= 0 && p.Accuracy <= 1 && p.DollarsPerTask > 0);
        result.Checks.Sweep.Should().Be(PreferenceSweep.Check(result.PreferenceSweep, result.PreferenceAdherence, OfflineDemo.Trained));
        var sweepJson = JsonDocument.Parse(File.ReadAllText(result.Files["results"])).RootElement.GetProperty("preference_sweep");
        sweepJson.EnumerateArray().Select(p => p.GetProperty("cost_weight").GetDouble()).Should().Equal(PreferenceSweep.CostWeights);
        sweepJson[1].GetProperty("dollars_per_task").GetDecimal().Should().Be(result.PreferenceSweep[1].DollarsPerTask);
        sweepJson[1].EnumerateObject().Select(p => p.Name).Should().Equal("cost_weight", "accuracy", "dollars_per_task", "seconds_per_task");
        File.ReadAllText(result.Files["report"]).Should().Contain("## Preferences as a dial").And.Contain("![preference sweep](preference-sweep.svg)")
            .And.Contain("cost weight 0.1 vs 0");
        var sweepChart = System.Xml.Linq.XDocument.Load(result.Files["chart_preference_sweep"]);
        sweepChart.Descendants().Count(e => e.Name.LocalName == "title").Should().Be(PreferenceSweep.CostWeights.Count, "one point per cost weight");
        File.Exists(Path.Combine(result.Files["world"], "index.db")).Should().BeTrue();
        result.CodeCacheHits.Should().BeGreaterThan(result.CodeExecutions, "repeated programs come from the code-hash cache");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_weights_and_table_whatever_the_parallelism()
    {
        var one = await OfflineDemo.RunAsync(Options(2, "a") with { Parallelism = 1 });
        var many = await OfflineDemo.RunAsync(Options(2, "b") with { Parallelism = 6 });

        File.ReadAllText(one.Files["policy"]).Should().Be(File.ReadAllText(many.Files["policy"]));
        JsonSerializer.Serialize(one.Evaluation, OrchestraJson.Compact).Should().Be(JsonSerializer.Serialize(many.Evaluation, OrchestraJson.Compact));
        JsonSerializer.Serialize(one.Curve, OrchestraJson.Compact).Should().Be(JsonSerializer.Serialize(many.Curve, OrchestraJson.Compact));
        JsonSerializer.Serialize(one.PreferenceAdherence, OrchestraJson.Compact).Should().Be(JsonSerializer.Serialize(many.PreferenceAdherence, OrchestraJson.Compact));
        JsonSerializer.Serialize(one.Generalisation, OrchestraJson.Compact).Should().Be(JsonSerializer.Serialize(many.Generalisation, OrchestraJson.Compact));
        JsonSerializer.Serialize(one.PreferenceSweep, OrchestraJson.Compact).Should().Be(JsonSerializer.Serialize(many.PreferenceSweep, OrchestraJson.Compact));
        one.Checks.Should().Be(many.Checks);
    }

    [Fact]
    public async Task Bad_settings_are_refused_before_any_work()
    {
        var act = () => OfflineDemo.RunAsync(Options(2, "bad") with { Group = 1 });
        (await act.Should().ThrowAsync<UserError>()).WithMessage("*--group must be at least 2*");
        Directory.Exists(Path.Combine(_dir, "bad")).Should().BeFalse();
    }
}
