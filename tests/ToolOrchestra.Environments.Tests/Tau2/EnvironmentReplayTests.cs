using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using P = ToolOrchestra.Environments.Tau2.ToolParameter;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>
/// upstream tau2-bench <c>tests/test_environment.py</c>, translated: toolkits that add to a counter, and
/// <c>set_state</c> replaying a message history (every call, checked against its recorded result).
/// </summary>
public class EnvironmentReplayTests
{
    /// <summary>upstream's MockToolkit / MockUserToolkit: each WRITE tool adds its argument to <c>val</c>.</summary>
    private sealed class Counter(string className, params string[] tools) : Toolkit(className, null, Catalog(tools))
    {
        private long _val;

        private static IReadOnlyList<ToolFunction> Catalog(string[] tools)
        {
            var catalog = new ToolCatalog<Counter>();
            foreach (var name in tools)
            {
                var param = "param" + name[^1];
                catalog.Tool(name, ToolType.Write, $"Adds {param}.", (t, a) => (t._val += a[param]!.GetValue<long>()).ToString(), P.Int(param, null));
            }
            catalog.Tool("peek", ToolType.Read, "Reads val.", (t, _) => t._val.ToString());
            return catalog.Build();
        }
    }

    private static Tau2Environment Environment() =>
        new("mock_domain", "You are a helpful assistant.", new Counter("MockToolkit", "tool1", "tool2"), new Counter("MockUserToolkit", "tool1", "tool4"));

    private static Tau2ToolCall Call(string id, string name, long value, string requestor) =>
        new(id, name, new JsonObject { ["param" + name[^1]] = value }, requestor);

    private static List<Tau2Message> HistoryWithUserTool() =>
    [
        Tau2Message.User(null, [Call("1", "tool1", 1, Tau2Roles.User)]),
        Tau2Message.ToolResult("1", "1", Tau2Roles.User, false),
        Tau2Message.User(null, [Call("2", "tool4", 4, Tau2Roles.User)]),
        Tau2Message.ToolResult("2", "5", Tau2Roles.User, false),
        Tau2Message.User("what's the value of val?"),
        Tau2Message.Assistant("The value of val is 5."),
    ];

    [Fact]
    public void Environment_with_user_tool()
    {
        var env = Environment();
        env.SetState(null, HistoryWithUserTool());

        var user = env.Execute(Call("1", "tool1", 1, Tau2Roles.User));
        user.Id.Should().Be("1");
        user.Content.Should().Be("6");
        user.Role.Should().Be(Tau2Roles.Tool);
        user.Requestor.Should().Be(Tau2Roles.User);

        // the assistant's toolkit is independent of the user's
        var assistant = env.Execute(Call("2", "tool2", 2, Tau2Roles.Assistant));
        assistant.Content.Should().Be("2");
        assistant.Requestor.Should().Be(Tau2Roles.Assistant);

        var missing = env.Execute(Call("3", "tool4", 4, Tau2Roles.Assistant));
        missing.Error.Should().BeTrue();
        missing.Content.Should().Be("Error: Tool 'tool4' not found.");
    }

    [Fact]
    public void A_replayed_result_that_differs_from_the_recorded_one_raises_a_clear_error()
    {
        var history = HistoryWithUserTool();
        history[3] = Tau2Message.ToolResult("2", "7", Tau2Roles.User, false);

        var act = () => Environment().SetState(null, history);

        act.Should().Throw<Tau2ReplayException>()
            .WithMessage("*tool4*returned 5 but the recorded result is 7*")
            .Which.Mismatch.Call.Id.Should().Be("2");
    }

    [Fact]
    public void Reads_are_replayed_and_checked_too()
    {
        var history = HistoryWithUserTool();
        history.Insert(4, Tau2Message.Assistant(null, [new Tau2ToolCall("9", "peek", [], Tau2Roles.Assistant)]));
        history.Insert(5, Tau2Message.ToolResult("9", "3", Tau2Roles.Assistant, false));

        var act = () => Environment().SetState(null, history);

        act.Should().Throw<Tau2ReplayException>().Which.Mismatch.Call.Name.Should().Be("peek", "the assistant's val is 0, not the recorded 3");
        history[5] = Tau2Message.ToolResult("9", "0", Tau2Roles.Assistant, false);
        Environment().SetState(null, history);
    }

    [Fact]
    public void Unknown_tools_replay_to_the_error_they_got_live()
    {
        var history = HistoryWithUserTool();
        history.Insert(4, Tau2Message.Assistant(null, [Call("9", "tool4", 4, Tau2Roles.Assistant)]));
        history.Insert(5, Tau2Message.ToolResult("9", "Error: Tool 'tool4' not found.", Tau2Roles.Assistant, true));

        var env = Environment();
        env.SetState(null, history);
        env.Execute(Call("1", "tool1", 1, Tau2Roles.User)).Content.Should().Be("6");
    }

    [Fact]
    public void Given_a_mismatch_list_the_replay_collects_them_and_goes_on()
    {
        var history = HistoryWithUserTool();
        history[1] = Tau2Message.ToolResult("1", "100", Tau2Roles.User, false);
        var mismatches = new List<ReplayMismatch>();

        var env = Environment();
        env.SetState(null, history, mismatches);

        mismatches.Should().ContainSingle().Which.Should().Be(mismatches[0] with { Recorded = "100", Replayed = "1" });
        env.Execute(Call("1", "tool1", 1, Tau2Roles.User)).Content.Should().Be("6", "the state is replayed all the same");
    }

    [Fact]
    public void Mock_domain_set_state_from_message_history()
    {
        var env = Tau2TestData.Domain("mock").CreateEnvironment();
        bool Assert(string func, JsonObject args) => env.RunEnvAssertion(new EnvAssertion(Tau2Roles.Assistant, func, args, true));
        Assert("assert_task_status", new JsonObject { ["task_id"] = "task_1", ["expected_status"] = "pending" }).Should().BeTrue();
        Assert("assert_number_of_tasks", new JsonObject { ["user_id"] = "user_1", ["expected_number"] = 1 }).Should().BeTrue();

        env.SetState(null,
        [
            Tau2Message.User("Create a task called 'Important Meeting' for user_1"),
            Tau2Message.Assistant(null, [new Tau2ToolCall("3", "create_task", new JsonObject { ["user_id"] = "user_1", ["title"] = "Important Meeting" })]),
            Tau2Message.ToolResult("3", "{\"task_id\": \"task_2\", \"title\": \"Important Meeting\", \"description\": null, \"status\": \"pending\"}", Tau2Roles.Assistant, false),
            Tau2Message.Assistant("Ok, I've created the task for you. The task ID is task_2."),
            Tau2Message.User("Please mark task_1 as completed"),
            Tau2Message.Assistant(null, [new Tau2ToolCall("6", "update_task_status", new JsonObject { ["task_id"] = "task_1", ["status"] = "completed" })]),
            Tau2Message.ToolResult("6", "{\"task_id\": \"task_1\", \"title\": \"Test task\", \"description\": \"A test task\", \"status\": \"completed\"}", Tau2Roles.Assistant, false),
            Tau2Message.Assistant("I've marked task_1 as completed."),
        ]);

        Assert("assert_task_status", new JsonObject { ["task_id"] = "task_1", ["expected_status"] = "completed" }).Should().BeTrue();
        Assert("assert_task_status", new JsonObject { ["task_id"] = "task_2", ["expected_status"] = "pending" }).Should().BeTrue();
        Assert("assert_number_of_tasks", new JsonObject { ["user_id"] = "user_1", ["expected_number"] = 2 }).Should().BeTrue();
    }
}
