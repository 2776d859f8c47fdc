using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

public sealed class RunStoreTests : QaServerTest
{
    [Fact]
    public async Task The_store_appends_one_record_per_turn_and_never_rewrites_what_it_wrote()
    {
        var dir = Directory.CreateTempSubdirectory("runs-").FullName;
        var store = new RunStore(dir);
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("search", "search-2"), QaWorld.Call("search", "search-2"), QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{7}"));
        var sizes = new List<string>();

        var result = await World.Runner().RunAsync(QaWorld.Ask("Seven?") with { Id = "r1" }, new EpisodeSinks(store), t =>
        {
            sizes.Add(File.ReadAllText(store.PathFor("r1")));
            return Task.CompletedTask;
        });

        sizes.Should().HaveCount(3);
        sizes[1].Should().StartWith(sizes[0], "turn 2 is appended after turn 1, which is left as it was");
        sizes[2].Should().StartWith(sizes[1]);
        File.ReadLines(result.TrajectoryPath!).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["record"]!.GetValue<string>())
            .Should().Equal("start", "turn", "turn", "turn", "end");
        RunStore.Load(result.TrajectoryPath!).Should().BeEquivalentTo(result.Trajectory, o => o.Excluding(t => t.WallSeconds));
    }

    [Fact]
    public async Task A_run_killed_mid_write_loads_as_interrupted_with_the_turns_it_finished()
    {
        var dir = Directory.CreateTempSubdirectory("runs-").FullName;
        var store = new RunStore(dir);
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("search", "search-2"), QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{7}"));
        var result = await World.Runner().RunAsync(QaWorld.Ask("Seven?") with { Id = "r2" }, new EpisodeSinks(store));
        var lines = File.ReadAllLines(result.TrajectoryPath!);
        // What kill -9 leaves: the first turn, and half of the second turn's line.
        File.WriteAllText(result.TrajectoryPath!, string.Join("\n", lines[..2]) + "\n" + lines[2][..40]);

        var t = RunStore.Load(result.TrajectoryPath!);

        t.Turns.Should().HaveCount(1);
        t.StopReason.Should().BeNull();
        t.StopDetail.Should().StartWith("interrupted");
    }

    [Fact]
    public async Task A_runs_folder_that_is_a_file_is_a_clear_error_and_the_run_still_returns()
    {
        var file = Path.GetTempFileName();
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("answer", "answer-2"));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{7}"));

        var result = await World.Runner().RunAsync(QaWorld.Ask("Seven?"), new EpisodeSinks(new RunStore(file)));

        result.StopReason.Should().Be(StopReason.Error);
        result.StopDetail.Should().Contain(file).And.Contain("--runs-dir");
    }

    private sealed class BrokenPolicy : Qa.IQaPolicy
    {
        public string Name => "broken";
        public Task<Qa.PolicyDecision> DecideAsync(Qa.QaObservation observation, Core.Accounting.Ledger ledger, CancellationToken ct) =>
            throw new InvalidOperationException("a bug in the policy");
    }

    [Fact]
    public async Task A_bug_in_a_policy_ends_the_run_with_error_and_the_trajectory_is_still_stored()
    {
        var store = new RunStore(Directory.CreateTempSubdirectory("runs-").FullName);
        var models = new Models.ModelClientFactory(World.Catalog);
        var runner = new Qa.QaEpisodeRunner(World.Catalog, models, new BrokenPolicy(), Qa.QaToolServices.None, Core.Text.EstimatingTokenCounter.Instance);

        var result = await runner.RunAsync(QaWorld.Ask("Q?") with { Id = "bug" }, new EpisodeSinks(store));

        result.StopReason.Should().Be(StopReason.Error);
        result.StopDetail.Should().Be("InvalidOperationException: a bug in the policy");
        RunStore.Load(store.PathFor("bug")).StopReason.Should().Be(StopReason.Error);
    }
}
