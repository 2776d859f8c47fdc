using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Training.Policy;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Evaluation.Tests.Reports;

/// <summary>
/// End to end with trajectories the real engine wrote (offline world, simulated experts): one GRPO group's rollouts,
/// each stored as its own run, give back in the report exactly the reward training gave each rollout, and Table 1's
/// dollars, seconds and turns are the trajectories' own.
/// </summary>
public sealed class EngineTrajectoryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("report-engine-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_training_groups_rollouts_stored_as_runs_score_in_the_report_as_training_scored_them()
    {
        var world = World.Generate(3, WorldOptions.Small with { TasksPerFamily = 12 });
        var catalog = SimulatedCatalog.Create();
        var episodes = new OfflineEpisodes(world, catalog, WorldRetrieval.Build(world, _dir, catalog.ToolPrices),
            new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20 }, catalog.ToolPrices)));
        var trainer = new OfflineTrainer(episodes, SoftmaxPolicy.Create(seed: 5),
            new OfflineTrainingOptions(Steps: 2, TasksPerStep: 4, Group: 4, Seed: 5, Curriculum: PreferenceProfiles.Curriculum));
        await trainer.TrainAsync();
        var group = trainer.LastStepEpisodes.GroupBy(o => o.Trajectory.Outcome!.GroupId)
            .OrderByDescending(g => g.Select(o => trainer.LastStepRewards[o.Trajectory.Id]).Distinct().Count()).First().ToList();
        group.Should().HaveCount(4);
        group.Select(o => trainer.LastStepRewards[o.Trajectory.Id]).Distinct().Should().HaveCountGreaterThan(1, "a group whose rollouts earned different rewards");

        await using var store = await SeededRuns.SqliteAsync();
        for (var i = 0; i < group.Count; i++)
        {
            var t = group[i].Trajectory;
            await store.BeginRunAsync(new EvalRunInfo($"rollout-{i}", "offline", "orchestrated", "learned", "sim", "legacy", "{}", DateTimeOffset.UnixEpoch.AddMinutes(i)));
            await store.SaveSampleAsync(new EvalSample($"rollout-{i}", group[i].Task.Id)
            {
                TaskId = group[i].Task.Id, Correct = group[i].Solved, VerdictSource = "simulated", CostUsd = t.CostUsd, ToolSeconds = t.LatencySeconds,
                WallSeconds = t.WallSeconds, Turns = t.Turns.Count, StopReason = t.StopReason?.ToString(),
                CallsJson = JsonSerializer.Serialize(t.Ledger.Select(e => new
                {
                    turn = e.Turn, kind = JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Kind.ToString()), tool = e.Tool, alias = e.Alias, model = e.Model,
                    input_tokens = e.InputTokens, output_tokens = e.OutputTokens, cost_usd = e.CostUsd, latency_s = e.LatencySeconds, tokens_estimated = e.TokensEstimated,
                })),
                TrajectoryJson = JsonSerializer.Serialize(t, OrchestraJson.Compact),
            });
        }

        var runIds = Enumerable.Range(0, group.Count).Select(i => $"rollout-{i}").ToList();
        var preferences = group[0].Trajectory.Preferences!;
        var report = await EvalReport.BuildAsync(store, new ReportRequest(runIds) { Preferences = [("group", "trajectory", preferences)] });

        report.Preferences.Single().Runs.Select(r => r.MeanReward).Should().Equal(group.Select(o => trainer.LastStepRewards[o.Trajectory.Id]));
        report.Runs.Select(r => r.DollarsPerTask).Should().Equal(group.Select(o => Math.Round(o.Trajectory.CostUsd, 10)));
        report.Runs.Select(r => r.SecondsPerTask).Should().Equal(group.Select(o => o.Trajectory.LatencySeconds));
        // The experts' model calls; the searches and code runs they asked for are counted apart, per tool.
        report.Runs.Select(r => r.ToolCallsPerTask).Should().Equal(group.Select(o =>
            (double)o.Trajectory.Ledger.Count(e => e.Kind != Core.Accounting.CallKind.Orchestrator && Core.Accounting.CallCount.Of(e).IsModelCall)));
        report.Runs.Select(r => r.ToolExecutionsPerTask.Values.Sum()).Should().Equal(group.Select(o =>
            (double)o.Trajectory.Ledger.Count(e => !Core.Accounting.CallCount.Of(e).IsModelCall)));
        report.Simulated.Should().BeTrue();
    }
}
