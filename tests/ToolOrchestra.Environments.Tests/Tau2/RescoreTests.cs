using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>Recorded simulations from real tau2-bench runs re-scored to their recorded rewards.</summary>
public class RescoreTests
{
    private static async Task<RescoredSimulation> RescoreOne(string file, string simulationId)
    {
        var results = Tau2TestData.Results(file);
        var sim = results.Simulations.Single(s => s.Id == simulationId);
        var one = new Tau2Results[] { results }[0];
        var report = await new Tau2Rescorer(Tau2TestData.DataDir) { CheckToolResults = true }.RescoreAsync(one);
        return report.Simulations.Single(s => s.Simulation.Id == sim.Id);
    }

    [Theory]
    [InlineData("C4_pr_gpt-oss-120b_langchain_airline_50.json", "7949aea4-5481-4035-9269-2b6fdfc998ca", 1.0)] // parallel tool calls
    [InlineData("C4_pr_gpt-oss-120b_langchain_airline_50.json", "fcbc7985-6578-46b5-9c2e-1c07930258a2", 0.0)] // ended by max_steps
    [InlineData("C4_pr_gpt-oss-120b_langchain_airline_50.json", "1717074d-9497-4dab-ae39-b2876f241291", 0.0)] // too many tool errors
    [InlineData("C1_pr_claude-sonnet-4-5_airline_50.json", "a62a4510-a540-4d76-8e6e-026589c80fd6", 1.0)] // a booking error, then success
    [InlineData("A4_sierra_gym_ft-gpt-4.1-sft_retail_test40.json", "151ab678-015e-4b1d-824b-8e30afc5d274", 1.0)] // retail tool error
    [InlineData("X1_sierra_gym_gpt-4.1_telecom_40.json", "53759db8-5657-4a7b-b6fa-18c09fd8b859", 1.0)] // telecom user tools
    [InlineData("B1_lb_toolorchestra_airline_50.json", "c2b56a35-6124-4d50-acf0-6266e2ad353c", 1.0)] // mislabeled, tool error
    public async Task Recorded_simulations_get_their_recorded_reward(string file, string simulationId, double recorded)
    {
        var sim = await RescoreOne(file, simulationId);
        sim.Recorded.Should().Be(recorded);
        sim.Ours.Should().Be(recorded);
        sim.Components.Should().NotContain(c => !c.Agree);
        sim.ToolResultMismatches.Should().BeEmpty("every recorded tool result is reproduced");
    }

    [Fact]
    public async Task Max_steps_runs_score_zero_without_checks_as_upstream()
    {
        var sim = await RescoreOne("C4_pr_gpt-oss-120b_langchain_airline_50.json", "fcbc7985-6578-46b5-9c2e-1c07930258a2");
        sim.Info.DbCheck.Should().BeNull();
        sim.Info.Note.Should().Contain("max_steps");
    }

    [Theory]
    [InlineData("A1_sierra_gym_gpt-4.1_airline_test20.json", 20)]
    [InlineData("A2_sierra_gym_gpt-4.1_retail_test40.json", 40)]
    [InlineData("X2_sierra_gym_ft-gpt-4.1-sft_telecom_40.json", 40)]
    public async Task Whole_files_from_upstreams_authors_agree_completely(string file, int simulations)
    {
        var report = await new Tau2Rescorer(Tau2TestData.DataDir) { CheckToolResults = true }.RescoreAsync(Tau2TestData.Results(file), parallelism: 2);
        report.Simulations.Should().HaveCount(simulations);
        report.ToolResultMismatches.Should().Be(0, "every recorded tool result, numbers typed as upstream prints them, is reproduced");
        report.Agree.Should().Be(simulations);
        report.ComponentAgreement.Values.Should().OnlyContain(v => v.Agree == v.Compared);
    }

    [Fact]
    public async Task Mislabeled_leaderboard_simulations_are_scored_against_the_task_their_checks_name()
    {
        var report = await new Tau2Rescorer(Tau2TestData.DataDir).RescoreAsync(Tau2TestData.Results("B1_lb_toolorchestra_airline_50.json"), parallelism: 2);
        report.Agree.Should().Be(50);
        report.Simulations.Single(s => s.Simulation.Id == "b2edae74-ba1e-49d6-a5e4-192fc17c0718").ScoredTaskId.Should().Be("27");
        report.Relabeled.Should().Be(49);
    }
}
