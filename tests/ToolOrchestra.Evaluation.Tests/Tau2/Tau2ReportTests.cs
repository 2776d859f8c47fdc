using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Evaluation.Tau2;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Evaluation.Tests.Tau2;

public class Tau2ReportTests
{
    [Fact]
    public void Pass_hat_k_is_the_task_mean_of_c_choose_k_over_n_choose_k()
    {
        // task a: 4 trials, 2 successes; task b: 4 trials, 4 successes
        var sims = new[] { ("a", 1.0), ("a", 0.0), ("a", 1.0), ("a", 0.0), ("b", 1.0), ("b", 1.0), ("b", 1.0), ("b", 1.0) };
        var passHatK = Tau2Report.PassHatK(sims);
        passHatK.Should().HaveCount(4);
        passHatK[0].Should().BeApproximately((0.5 + 1) / 2, 1e-12);
        passHatK[1].Should().BeApproximately((1.0 / 6 + 1) / 2, 1e-12);
        passHatK[3].Should().BeApproximately(0.5, 1e-12);
    }

    [Fact]
    public void K_stops_at_the_fewest_trials_of_any_task()
    {
        Tau2Report.PassHatK([("a", 1.0), ("a", 1.0), ("b", 1.0)]).Should().HaveCount(1);
    }

    [Fact]
    public void A_recorded_file_reports_its_rewards_terminations_tool_calls_and_dollars()
    {
        var file = Tau2Results.Read(SharedData.File("tau2-sims", "C4_pr_gpt-oss-120b_langchain_airline_50.json"));
        var row = Tau2Report.Build([file]).Single();
        row.Simulations.Should().Be(50);
        row.AverageReward.Should().BeApproximately(19 / 50.0, 1e-9);
        row.PassHatK.Should().ContainSingle().Which.Should().BeApproximately(19 / 50.0, 1e-9);
        row.TerminationReasons["max_steps"].Should().Be(5);
        row.TerminationReasons["too_many_errors"].Should().Be(1);
        row.ToolCallsPerSimulation.Should().BeGreaterThan(1);
    }

    [Fact]
    public void Dollars_are_summed_where_recorded()
    {
        var file = Tau2Results.Read(SharedData.File("tau2-sims", "A1_sierra_gym_gpt-4.1_airline_test20.json"));
        var row = Tau2Report.Build([file]).Single();
        row.AgentDollars.Should().BeGreaterThan(0);
        row.UserDollars.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Files_of_different_agents_or_models_are_never_pooled_into_one_row()
    {
        var files = new[] { "A1_sierra_gym_gpt-4.1_airline_test20.json", "C1_pr_claude-sonnet-4-5_airline_50.json",
            "D1_v1_deepseek-v4-flash_airline_5a.json", "D2_v1_deepseek-v4-flash_airline_5b.json" }
            .Select(f => Tau2Results.Read(SharedData.File("tau2-sims", f))).ToList();
        var rows = Tau2Report.Build(files);
        rows.Should().HaveCount(5, "four files, and one pooled row for the two runs of the same agent and model");
        var pooled = rows[4];
        pooled.Label.Should().Contain("deepseek-v4-flash").And.StartWith("all airline files of");
        pooled.Simulations.Should().Be(rows[2].Simulations + rows[3].Simulations);
        rows.Where(r => r.Label.StartsWith("all ", StringComparison.Ordinal)).Should().ContainSingle();
    }
}
