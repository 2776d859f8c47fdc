using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class GoldTests
{
    private static async Task<GoldReport> CheckGold(string domain, string? split = "base", string? tasksFile = null)
    {
        var d = Tau2TestData.Domain(domain);
        return await GoldCheck.RunAsync(d, Tau2TaskSet.Load(d, tasksFile).Select(split), null, CancellationToken.None);
    }

    [Fact]
    public async Task Every_airline_base_task_passes_its_gold()
    {
        var report = await CheckGold("airline");
        report.Passed.Should().Be(50);
        report.Failed.Should().BeEmpty();
    }

    [Fact]
    public async Task Retail_gold_passes_and_nl_graded_tasks_are_reported_not_passed()
    {
        var report = await CheckGold("retail");
        report.Failed.Should().BeEmpty();
        report.Passed.Should().Be(74);
        report.NotEvaluated.Should().HaveCount(40).And.OnlyContain(n => n.Detail.Contains("NL_ASSERTION") && n.RewardOfEvaluated == 1);
    }

    [Fact]
    public async Task Every_telecom_base_task_passes_its_gold()
    {
        var report = await CheckGold("telecom");
        report.Passed.Should().Be(114);
    }

    [Fact]
    public async Task Legacy_task_files_pass_too()
    {
        (await CheckGold("retail", null, Tau2TestData.LegacyTasks("retail"))).Passed.Should().Be(114);
        (await CheckGold("airline", null, Tau2TestData.LegacyTasks("airline"))).Passed.Should().Be(50);
    }

    [Fact]
    public async Task Mock_gold_fails_only_where_upstreams_criteria_cannot_be_met()
    {
        var report = await CheckGold("mock");
        report.Passed.Should().Be(8);
        // no gold action completes task_2 / dismisses the notification: upstream data, not our rules
        report.Failed.Should().BeEquivalentTo("update_task_with_history_and_env_assertions", "update_task_with_user_tools");
    }

    private static async Task<RewardInfo> Score(string domain, string taskId, Func<List<Tau2Message>, List<Tau2Message>> alter)
    {
        var d = Tau2TestData.Domain(domain);
        var task = Tau2TestData.Tasks(domain).Get(taskId);
        var trajectory = alter(GoldTrajectory.Build(d, task).ToList());
        return await new Tau2Evaluator(d).EvaluateAsync(task, trajectory);
    }

    private static List<Tau2Message> DropCall(List<Tau2Message> messages, string toolName)
    {
        var i = messages.FindLastIndex(m => m.ToolCalls?.Any(c => c.Name == toolName) ?? false);
        messages.RemoveRange(i, 2);
        return messages;
    }

    [Fact]
    public async Task Untouched_gold_scores_one_and_altered_gold_scores_zero_on_the_right_component()
    {
        (await Score("airline", "14", m => m)).Reward.Should().Be(1);

        var dropped = await Score("airline", "14", m => DropCall(m, "book_reservation"));
        dropped.Reward.Should().Be(0);
        dropped.DbCheck!.DbMatch.Should().BeFalse();
        dropped.CommunicateChecks.Should().OnlyContain(c => c.Met);

        var changed = await Score("airline", "14", m => m.Select(x => x.ToolCalls?.FirstOrDefault()?.Name == "cancel_reservation"
            ? x with { ToolCalls = [x.ToolCalls![0] with { Arguments = new JsonObject { ["reservation_id"] = "4WQ150" } }] }
            : x).ToList());
        changed.Reward.Should().Be(0);
        changed.DbCheck!.DbMatch.Should().BeFalse();

        var silent = await Score("airline", "14", m => m.Take(m.Count - 1).Append(Tau2Message.Assistant("Done: 327 and 1000.")).ToList());
        silent.Reward.Should().Be(0);
        silent.DbCheck!.DbMatch.Should().BeTrue();
        silent.CommunicateChecks!.Where(c => !c.Met).Select(c => c.Info).Should().Equal("1786");
    }

    [Fact]
    public async Task Communicate_matching_ignores_case_and_commas_in_the_agents_text()
    {
        var info = await Score("airline", "18", m => m.Take(m.Count - 1).Append(Tau2Message.Assistant("The total comes to $23,553.")).ToList());
        info.Reward.Should().Be(1);
    }

    [Fact]
    public async Task A_telecom_fix_left_undone_fails_its_env_assertion()
    {
        const string task = "[mobile_data_issue]airplane_mode_on|bad_network_preference|data_mode_off|data_saver_mode_on[PERSONA:Hard]";
        (await Score("telecom", task, m => m)).Reward.Should().Be(1);
        var info = await Score("telecom", task, m => DropCall(m, "toggle_airplane_mode"));
        info.Reward.Should().Be(0);
        info.EnvAssertions!.Should().Contain(e => !e.Met && e.EnvAssertion.FuncName == "assert_mobile_data_status");
    }

    [Fact]
    public async Task Early_termination_scores_zero_without_checks()
    {
        var d = Tau2TestData.Domain("airline");
        var task = Tau2TestData.Tasks("airline").Get("14");
        var info = await new Tau2Evaluator(d).EvaluateAsync(task, GoldTrajectory.Build(d, task), TerminationReasons.MaxSteps);
        info.Reward.Should().Be(0);
        info.DbCheck.Should().BeNull();
        info.Note.Should().Be("Simulation terminated prematurely. Termination reason: max_steps");
    }
}
