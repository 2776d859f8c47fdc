using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tests.Tau2;

public sealed class TaskLoadingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tau2-tasks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Current_and_legacy_task_files_load_with_their_splits()
    {
        Tau2TestData.Tasks("airline").Select("base").Should().HaveCount(50);
        Tau2TestData.Tasks("retail").Select("test").Should().HaveCount(40);
        Tau2TestData.Tasks("telecom").Select("base").Should().HaveCount(114);
        Tau2TestData.Tasks("mock").Select("base").Should().HaveCount(10);
        var legacy = Tau2TaskSet.Load(Tau2TestData.Domain("airline"), Tau2TestData.LegacyTasks("airline"));
        legacy.Tasks.Should().HaveCount(50);
        legacy.Tasks.Should().OnlyContain(t => t.EvaluationCriteria!.RewardBasis.SequenceEqual(new[] { RewardType.DB, RewardType.COMMUNICATE }),
            "v0.1.0 tasks have no reward_basis: upstream's default applies");
    }

    [Fact]
    public void Task_json_round_trips_unchanged()
    {
        var file = Tau2TestData.Domain("telecom").TasksFile;
        var task = Tau2TestData.Tasks("mock").Get("update_task_with_message_history");
        var original = JsonNode.Parse(File.ReadAllText(Tau2TestData.Domain("mock").TasksFile))!.AsArray()
            .First(t => t!["id"]!.GetValue<string>() == "update_task_with_message_history");
        JsonNode.DeepEquals(task.ToJson(), original).Should().BeTrue();
        file.Should().EndWith("tasks.json");
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "tasks.json");
        File.WriteAllText(path, json);
        return path;
    }

    private const string Scenario = "\"user_scenario\": {\"instructions\": \"hi\"}";

    [Fact]
    public void A_task_naming_an_unknown_tool_is_refused_with_file_and_task_id()
    {
        var path = Write("[{\"id\": \"t1\", " + Scenario + ", \"evaluation_criteria\": {\"actions\": [{\"action_id\": \"a\", \"name\": \"delete_everything\", \"arguments\": {}}]}}]");
        FluentActions.Invoking(() => Tau2TaskSet.Load(Tau2TestData.Domain("airline"), path)).Should().Throw<UserError>()
            .Which.Message.Should().Contain(path).And.Contain("task 't1'").And.Contain("delete_everything");
    }

    [Fact]
    public void Malformed_or_missing_files_and_fields_name_the_place()
    {
        var domain = Tau2TestData.Domain("mock");
        FluentActions.Invoking(() => Tau2TaskSet.Load(domain, Write("[{\"id\": \"t1\", "))).Should().Throw<UserError>().WithMessage("*not valid JSON*");
        FluentActions.Invoking(() => Tau2TaskSet.Load(domain, Path.Combine(_dir, "nope.json"))).Should().Throw<UserError>().WithMessage("*nope.json: file not found*");
        FluentActions.Invoking(() => Tau2TaskSet.Load(domain, Write("""[{"id": "t2", "user_scenario": {}}]""")))
            .Should().Throw<UserError>().WithMessage("*$[0].user_scenario (task 't2'): missing required field 'instructions'*");
        FluentActions.Invoking(() => Tau2TaskSet.Load(domain, Write("[{\"id\": \"t3\", " + Scenario + ", \"evaluation_criteria\": {\"reward_basis\": [\"DB\", \"VIBES\"]}}]")))
            .Should().Throw<UserError>().WithMessage("*reward_basis?1? (task 't3')*");
        FluentActions.Invoking(() => Tau2Domain.Load(_dir, "airline")).Should().Throw<UserError>().WithMessage("*no tau2/domains folder*");
    }
}
