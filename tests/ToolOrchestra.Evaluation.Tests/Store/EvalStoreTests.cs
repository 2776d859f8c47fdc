using ToolOrchestra.Environments.Qa;
using FluentAssertions;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Evaluation.Tests.Store;

public class EvalStoreTests
{
    private static readonly EvalRunInfo Run = new("r1", "qa", "orchestrated", "orchestrator", "catalog.json", "train", "{\"tasks\":\"t.jsonl\"}",
        new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Samples_verdicts_and_runs_round_trip_identically_in_sqlite_and_postgres()
    {
        await using var pg = await LocalPostgres.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"eval-{Guid.NewGuid():N}.db");
        var results = new List<string>();
        foreach (var location in new[] { StoreLocation.Parse(file), StoreLocation.Parse(pg.Url()) })
        {
            await using var store = await EvalStore.OpenAsync(location);
            await store.BeginRunAsync(Run);
            await store.BeginRunAsync(Run); // a rerun with the same settings resumes
            await store.SaveSampleAsync(new EvalSample("r1", "b") { Status = SampleStatus.Failed, Error = "endpoint_error", CostUsd = 0.0001m });
            await store.SaveSampleAsync(new EvalSample("r1", "a") { Answer = "Paris", Gold = "Paris", Correct = true, Reward = 1, CostUsd = 0.00012345678m,
                JudgeCostUsd = 0.5m, ToolSeconds = 1.5, WallSeconds = 2.25, Turns = 3, CallsJson = "[{\"turn\":1}]", TrajectoryJson = "{\"x\":1}" });
            await store.SaveSampleAsync(new EvalSample("r1", "b") { Status = SampleStatus.Done, Attempts = 2, Correct = false });
            await store.SaveVerdictAsync(new JudgeVerdict("k", true, "judge-model", 0.002m, "yes"));

            var states = await store.SampleStatesAsync("r1");
            states.Should().HaveCount(2);
            states["b"].Should().Be((SampleStatus.Done, 2));
            var samples = await store.LoadSamplesAsync("r1");
            samples.Select(s => s.SampleId).Should().Equal("a", "b");
            samples[0].CostUsd.Should().Be(0.00012345678m, "dollars are stored exactly");
            samples[0].TrajectoryJson.Should().BeNull("reports skip trajectories unless asked");
            (await store.LoadSamplesAsync("r1", withTrajectories: true))[0].TrajectoryJson.Should().Be("{\"x\":1}");
            (await store.FindVerdictAsync("k"))!.CostUsd.Should().Be(0.002m);
            (await store.FindVerdictAsync("missing")).Should().BeNull();
            results.Add(string.Join("|", samples.Select(s => s with { UpdatedAt = default })));
        }
        results[0].Should().Be(results[1]);
        File.Delete(file);
    }

    [Fact]
    public async Task Reusing_a_run_id_with_other_settings_is_refused_with_the_fix()
    {
        var file = Path.Combine(Path.GetTempPath(), $"eval-{Guid.NewGuid():N}.db");
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(file));
        await store.BeginRunAsync(Run);
        await FluentActions.Awaiting(() => store.BeginRunAsync(Run with { Setup = "direct" }))
            .Should().ThrowAsync<UserError>().WithMessage("*other settings*--run-id*");
    }
}
