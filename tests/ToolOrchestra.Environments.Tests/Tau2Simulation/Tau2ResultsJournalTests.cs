using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Results;

namespace ToolOrchestra.Environments.Tests.Tau2Simulation;

/// <summary>The sidecar of <c>tau2 run</c>: what a kill leaves behind is picked up whole, a torn line is redone, other settings are refused.</summary>
public sealed class Tau2ResultsJournalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tau2-journal").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static JsonObject Info(int trials = 2) => new()
    {
        ["num_trials"] = trials, ["max_steps"] = 200, ["max_errors"] = 10, ["seed"] = 300,
        ["agent_info"] = new JsonObject { ["implementation"] = "llm_agent", ["llm"] = "agent" },
        ["user_info"] = new JsonObject { ["implementation"] = "user_simulator", ["llm"] = "user" },
        ["environment_info"] = new JsonObject { ["domain_name"] = "mock", ["policy"] = "p" },
    };

    private static JsonObject Sim(string task, int trial) => new() { ["id"] = $"{task}-{trial}", ["task_id"] = task, ["trial"] = trial, ["termination_reason"] = "user_stop", ["messages"] = new JsonArray() };

    [Fact]
    public void Finished_simulations_survive_an_unclean_end_and_a_torn_line_is_redone()
    {
        var results = Path.Combine(_dir, "r.json");
        using (var first = Tau2ResultsJournal.Open(results, Info()))
        {
            first.Append(Sim("a", 0));
            first.Append(Sim("b", 0));
        } // no Complete: as after a kill
        File.AppendAllText(Tau2ResultsJournal.SidecarPathFor(results), "{\"id\":\"a-1\",\"task_");

        using var second = Tau2ResultsJournal.Open(results, Info());

        second.Resumed.Should().Be(2);
        (second.IsDone("a", 0), second.IsDone("b", 0), second.IsDone("a", 1)).Should().Be((true, true, false));
        second.Append(Sim("a", 1));
        second.Complete([new JsonObject { ["id"] = "a" }, new JsonObject { ["id"] = "b" }]);
        var file = JsonNode.Parse(File.ReadAllText(results))!;
        file["simulations"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal("a-0", "b-0", "a-1");
        File.Exists(Tau2ResultsJournal.SidecarPathFor(results)).Should().BeFalse();
    }

    [Fact]
    public void A_results_file_made_with_other_settings_is_refused_naming_the_option()
    {
        var results = Path.Combine(_dir, "r.json");
        using (var j = Tau2ResultsJournal.Open(results, Info(trials: 2))) j.Complete([]);

        var act = () => Tau2ResultsJournal.Open(results, Info(trials: 4));

        act.Should().Throw<UserError>().WithMessage($"{results}: was made with --trials 2, not 4;*");
    }
}
