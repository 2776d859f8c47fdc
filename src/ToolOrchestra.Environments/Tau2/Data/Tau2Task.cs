using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Data;

/// <summary>A reward component a task's <c>reward_basis</c> can name.</summary>
public enum RewardType { DB, ENV_ASSERTION, NL_ASSERTION, ACTION, COMMUNICATE }

/// <summary>A call of any toolkit function on the agent ("assistant") or user environment.</summary>
public record EnvFunctionCall(string EnvType, string FuncName, JsonObject Arguments)
{
    public static EnvFunctionCall Read(JsonReader r)
    {
        var envType = r.Required("env_type").String();
        if (envType is not (Tau2Roles.User or Tau2Roles.Assistant)) throw r.Required("env_type").Error("expected \"user\" or \"assistant\".");
        return new EnvFunctionCall(envType, r.Required("func_name").String(), r.Required("arguments").Object());
    }
}

/// <summary>An env function that must return a bool equal to <see cref="AssertValue"/>.</summary>
public sealed record EnvAssertion(string EnvType, string FuncName, JsonObject Arguments, bool AssertValue = true, string? Message = null)
    : EnvFunctionCall(EnvType, FuncName, Arguments)
{
    public static new EnvAssertion Read(JsonReader r)
    {
        var call = EnvFunctionCall.Read(r);
        return new EnvAssertion(call.EnvType, call.FuncName, call.Arguments,
            r.Optional("assert_value")?.Bool() ?? true, r.OptionalString("message"));
    }

    public JsonObject ToJson() => new()
    {
        ["env_type"] = EnvType,
        ["func_name"] = FuncName,
        ["arguments"] = Py.Clone(Arguments),
        ["assert_value"] = AssertValue,
        ["message"] = Message,
    };
}

/// <summary>A reference action: replayed for the gold database, matched against tool calls by the action check.</summary>
public sealed record TaskAction(string ActionId, string Requestor, string Name, JsonObject Arguments, string? Info, IReadOnlyList<string>? CompareArgs)
{
    public static TaskAction Read(JsonReader r)
    {
        var requestor = r.OptionalString("requestor") ?? Tau2Roles.Assistant;
        if (requestor is not (Tau2Roles.User or Tau2Roles.Assistant)) throw r.Required("requestor").Error("expected \"user\" or \"assistant\".");
        return new TaskAction(r.Required("action_id").String(), requestor, r.Required("name").String(),
            r.Required("arguments").Object(), r.OptionalString("info"), r.Optional("compare_args")?.Strings());
    }

    /// <summary>
    /// upstream <c>compare_with_tool_call</c>: same name, and the arguments named by compare_args (all of the call's
    /// arguments when null; none when empty) equal with Python semantics, comparing only keys present on each side.
    /// </summary>
    public bool Matches(Tau2ToolCall call)
    {
        if (Name != call.Name) return false;
        IReadOnlyCollection<string> keys = CompareArgs ?? call.Arguments.Select(p => p.Key).ToList();
        if (keys.Count == 0) return true;
        var predicted = new JsonObject();
        foreach (var (k, v) in call.Arguments) if (keys.Contains(k)) predicted[k] = Py.Clone(v);
        var expected = new JsonObject();
        foreach (var (k, v) in Arguments) if (keys.Contains(k)) expected[k] = Py.Clone(v);
        return Py.Equal(predicted, expected);
    }

    public JsonObject ToJson() => new()
    {
        ["action_id"] = ActionId,
        ["requestor"] = Requestor,
        ["name"] = Name,
        ["arguments"] = Py.Clone(Arguments),
        ["info"] = Info,
        ["compare_args"] = CompareArgs is null ? null : new JsonArray(CompareArgs.Select(a => (JsonNode?)a).ToArray()),
    };
}

public sealed record EvaluationCriteria(
    IReadOnlyList<TaskAction>? Actions,
    IReadOnlyList<EnvAssertion>? EnvAssertions,
    IReadOnlyList<string>? CommunicateInfo,
    IReadOnlyList<string>? NlAssertions,
    IReadOnlyList<RewardType> RewardBasis)
{
    /// <summary>Upstream's default basis, also the reading of task files that predate <c>reward_basis</c>.</summary>
    public static readonly IReadOnlyList<RewardType> DefaultBasis = [RewardType.DB, RewardType.COMMUNICATE];

    public static EvaluationCriteria Read(JsonReader r)
    {
        var basis = r.Optional("reward_basis") is { } b
            ? b.Items().Select(i => Enum.TryParse<RewardType>(i.String(), out var t) && System.Enum.IsDefined(t)
                ? t : throw i.Error("expected one of DB, ENV_ASSERTION, NL_ASSERTION, ACTION, COMMUNICATE.")).ToList()
            : DefaultBasis;
        return new EvaluationCriteria(
            r.Optional("actions")?.Items().Select(TaskAction.Read).ToList(),
            r.Optional("env_assertions")?.Items().Select(EnvAssertion.Read).ToList(),
            r.Optional("communicate_info")?.Strings(),
            r.Optional("nl_assertions")?.Strings(),
            basis);
    }
}

public sealed record InitializationData(JsonObject? AgentData, JsonObject? UserData);

public sealed record InitialState(
    InitializationData? InitializationData,
    IReadOnlyList<EnvFunctionCall>? InitializationActions,
    IReadOnlyList<Tau2Message>? MessageHistory)
{
    public static InitialState Read(JsonReader r)
    {
        InitializationData? data = null;
        if (r.Optional("initialization_data") is { } d)
            data = new InitializationData(d.Optional("agent_data")?.Object(), d.Optional("user_data")?.Object());
        return new InitialState(
            data,
            r.Optional("initialization_actions")?.Items().Select(EnvFunctionCall.Read).ToList(),
            r.Optional("message_history") is { } h ? Tau2Message.ReadList(h) : null);
    }
}

/// <summary>The user simulator's scenario: persona and instructions (a string, or upstream's structured form).</summary>
public sealed record UserScenario(string? Persona, JsonNode Instructions)
{
    /// <summary>upstream <c>str(UserScenario)</c>: the text inside the user simulator's &lt;scenario&gt; tag.</summary>
    public string Render()
    {
        var lines = new List<string>();
        if (Persona is not null)
        {
            lines.Add("Persona:");
            lines.Add(Indent(Persona));
        }
        lines.Add("Instructions:");
        lines.Add(Indent(RenderInstructions()));
        return string.Join("\n", lines);
    }

    private string RenderInstructions()
    {
        if (Py.Str(Instructions) is { } text) return text;
        var o = (JsonObject)Instructions;
        var lines = new List<string> { $"Domain: {Py.Str(o["domain"])}", $"Reason for call:\n{Indent(Py.Str(o["reason_for_call"]) ?? "")}" };
        if (Py.Str(o["known_info"]) is { } known) lines.Add($"Known info:\n{Indent(known)}");
        if (Py.Str(o["unknown_info"]) is { } unknown) lines.Add($"Unknown info:\n{Indent(unknown)}");
        lines.Add($"Task instructions:\n{Indent(Py.Str(o["task_instructions"]) ?? "")}");
        return string.Join("\n", lines);
    }

    /// <summary>Python <c>textwrap.indent(text, "\t")</c>: a tab before every line that is not blank.</summary>
    public static string Indent(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            var line = end < 0 ? text[start..] : text[start..(end + 1)];
            if (!string.IsNullOrWhiteSpace(line)) sb.Append('\t');
            sb.Append(line);
            if (end < 0) break;
            start = end + 1;
        }
        return sb.ToString();
    }
}

/// <summary>A tau2 task with upstream field names; <see cref="Json"/> is the task exactly as read.</summary>
public sealed record Tau2Task(
    string Id,
    UserScenario UserScenario,
    InitialState? InitialState,
    EvaluationCriteria? EvaluationCriteria,
    string? Ticket,
    IReadOnlyList<string>? UserTools,
    JsonObject Json)
{
    public static Tau2Task Read(JsonReader r)
    {
        var id = Py.ToStr(r.Object()["id"] ?? throw r.Error("missing required field 'id'."));
        var t = r.ForTask(id);
        var scenario = t.Required("user_scenario");
        var instructions = scenario.Required("instructions");
        if (instructions.Node is JsonObject)
        {
            instructions.Required("domain").String();
            instructions.Required("reason_for_call").String();
            instructions.Required("task_instructions").String();
        }
        else instructions.String();
        return new Tau2Task(
            id,
            new UserScenario(scenario.OptionalString("persona"), instructions.Node!),
            t.Optional("initial_state") is { } s ? InitialState.Read(s) : null,
            t.Optional("evaluation_criteria") is { } e ? EvaluationCriteria.Read(e) : null,
            t.OptionalString("ticket"),
            t.Optional("user_tools")?.Strings(),
            t.Object());
    }

    /// <summary>Reads a task file: a JSON array of tasks, or an object with a "tasks" array.</summary>
    public static IReadOnlyList<Tau2Task> ReadFile(string file)
    {
        var root = JsonReader.ParseFile(file);
        var r = new JsonReader(file, "$", root);
        if (root is JsonObject o && o["tasks"] is JsonArray) r = r.Required("tasks");
        var tasks = r.Items().Select(Read).ToList();
        var duplicate = tasks.GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new Core.UserError($"{file}: task id '{duplicate.Key}' appears {duplicate.Count()} times; ids must be unique.");
        return tasks;
    }

    public JsonObject ToJson() => (JsonObject)Py.Clone(Json)!;
}
