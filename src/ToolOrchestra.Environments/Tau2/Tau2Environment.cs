using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>A replayed call whose result differs from the recorded one.</summary>
public sealed record ReplayMismatch(Tau2ToolCall Call, string Recorded, string Replayed);

/// <summary>upstream <c>set_state</c>'s <c>ValueError</c>: a replayed call returned other content than the recorded tool message.</summary>
public sealed class Tau2ReplayException(ReplayMismatch mismatch) : Exception(
    $"Replaying the message history: tool call {mismatch.Call.Name}({mismatch.Call.Arguments.ToJsonString()}) by {mismatch.Call.Requestor} " +
    $"(id {mismatch.Call.Id}) returned {mismatch.Replayed} but the recorded result is {mismatch.Recorded}. " +
    "The history does not fit this environment's state: check the task's initial state and that the history was recorded on the same database.")
{
    public ReplayMismatch Mismatch { get; } = mismatch;
}

/// <summary>
/// A tau2 environment: the agent's toolkit and (telecom, mock) the user's toolkit over their databases, plus the
/// domain's synchronisation between them. This is what a simulation runner drives: list the tool schemas, execute a
/// tool call and get the tool message upstream would produce, and sync after every step.
/// </summary>
public class Tau2Environment
{
    public Tau2Environment(string domainName, string policy, Toolkit agentTools, Toolkit? userTools)
    {
        DomainName = domainName;
        Policy = policy;
        AgentTools = agentTools;
        UserTools = userTools;
        SyncTools();
    }

    public string DomainName { get; }
    public string Policy { get; }
    public Toolkit AgentTools { get; }
    public Toolkit? UserTools { get; }

    /// <summary>Brings the two sides in line after every tool call and every step (telecom overrides it).</summary>
    public virtual void SyncTools() { }

    public IReadOnlyList<JsonObject> AgentToolSchemas() => AgentTools.ToolSchemas();

    /// <summary>The user's tool schemas, restricted to a task's <c>user_tools</c> when given.</summary>
    public IReadOnlyList<JsonObject> UserToolSchemas(IReadOnlyCollection<string>? include = null) =>
        UserTools?.ToolSchemas(include) ?? [];

    public bool HasTool(string name) => AgentTools.HasTool(name) || (UserTools?.HasTool(name) ?? false);

    /// <summary>Whether the tool changes state (upstream's <c>mutates_state</c>; unknown names: true, as its fallback).</summary>
    public bool IsMutating(string name)
    {
        foreach (var kit in new[] { AgentTools, UserTools })
            if (kit is not null && kit.HasTool(name)) return kit.Find(name)!.MutatesState;
        return true;
    }

    public ToolType? ToolTypeOf(string name) =>
        AgentTools.HasTool(name) ? AgentTools.Find(name)!.Type
        : UserTools is not null && UserTools.HasTool(name) ? UserTools.Find(name)!.Type : null;

    /// <summary>upstream <c>make_tool_call</c> (no sync): route by requestor to the agent or user toolkit.</summary>
    public object? MakeToolCall(string name, JsonObject arguments, string requestor = Tau2Roles.Assistant)
    {
        if (requestor == Tau2Roles.User)
        {
            if (UserTools is null) throw new ToolError("User tools not available");
            return UserTools.UseTool(name, arguments);
        }
        return AgentTools.UseTool(name, arguments);
    }

    /// <summary>
    /// upstream <c>get_response</c>: runs the call, syncs, and returns the tool message; any error becomes
    /// <c>"Error: &lt;message&gt;"</c> with <c>error=true</c>.
    /// </summary>
    public Tau2Message Execute(Tau2ToolCall call)
    {
        string content;
        var error = false;
        try
        {
            var result = MakeToolCall(call.Name, call.Arguments, call.Requestor);
            SyncTools();
            content = Toolkit.Serialize(result);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            content = "Error: " + e.Message;
            error = true;
        }
        return Tau2Message.ToolResult(call.Id, content, call.Requestor, error);
    }

    /// <summary>Runs any function (tool or helper) of the agent or user toolkit, then syncs.</summary>
    public object? RunEnvFunctionCall(EnvFunctionCall call)
    {
        var kit = call.EnvType == Tau2Roles.User
            ? UserTools ?? throw new ToolError("'NoneType' object has no attribute '" + call.FuncName + "'")
            : AgentTools;
        var result = kit.CallFunction(call.FuncName, call.Arguments);
        SyncTools();
        return result;
    }

    /// <summary>Runs an assertion function; it must return a bool, compared with <c>assert_value</c>.</summary>
    public bool RunEnvAssertion(EnvAssertion assertion)
    {
        var result = RunEnvFunctionCall(assertion);
        if (result is not bool b) throw new ToolError($"Function {assertion.FuncName} returned {Py.TypeName(result as JsonNode)} instead of bool");
        return b == assertion.AssertValue;
    }

    /// <summary>
    /// upstream <c>set_state</c> (as in the tau2-bench the reference evaluated with, vendored in ToolOrchestra's
    /// <c>evaluation/tau2-bench</c>): initialization data (deep-merged), initialization actions, then EVERY tool call of
    /// the messages replayed in order, reads and unknown names included (an unknown name replays to the same
    /// "not found" error it got live). A replayed result that differs from the recorded one (compared as JSON where both
    /// parse) raises <see cref="Tau2ReplayException"/>. Given <paramref name="mismatches"/>, mismatches are collected
    /// there instead and the replay goes on (upstream's later <c>strict=False</c>, for re-scoring recorded runs).
    /// </summary>
    public void SetState(InitialState? initialState, IReadOnlyList<Tau2Message> messages, List<ReplayMismatch>? mismatches = null)
    {
        if (initialState?.InitializationData is { } data)
        {
            // upstream then points the other toolkit at the updated database (meant for domains sharing one
            // database); with separate agent and user databases (mock) the user side ends up on the agent's. Mirrored.
            if (data.AgentData is not null)
            {
                AgentTools.Db!.Merge(data.AgentData);
                if (UserTools?.Db is not null) UserTools.Db = AgentTools.Db;
            }
            if (data.UserData is not null)
            {
                (UserTools?.Db ?? throw new ToolError("User tools not available")).Merge(data.UserData);
                AgentTools.Db = UserTools.Db;
            }
        }
        if (initialState?.InitializationActions is { } actions)
            foreach (var action in actions) RunEnvFunctionCall(action);

        foreach (var (call, recorded) in PairToolCalls(messages))
        {
            var replayed = Execute(call);
            if (recorded is null || SameContent(replayed.Content, recorded.Content)) continue;
            var mismatch = new ReplayMismatch(call, recorded.Content ?? "", replayed.Content ?? "");
            if (mismatches is null) throw new Tau2ReplayException(mismatch);
            mismatches.Add(mismatch);
        }
        SyncTools();
    }

    /// <summary>Both results, parsed as JSON where they parse, are equal (upstream's replay comparison).</summary>
    public static bool SameContent(string? a, string? b) =>
        a == b || Py.Equal(PyJson.LoadsOrText(a), PyJson.LoadsOrText(b));

    /// <summary>
    /// The (call, result) pairs of a trajectory: each assistant/user message with tool calls is followed by one tool
    /// message per call, in order. A missing result pairs with null (e.g. a run cut off after the calls).
    /// </summary>
    public static IEnumerable<(Tau2ToolCall Call, Tau2Message? Result)> PairToolCalls(IReadOnlyList<Tau2Message> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role is not (Tau2Roles.Assistant or Tau2Roles.User) || m.ToolCalls is null) continue;
            var next = i + 1;
            foreach (var call in m.ToolCalls)
            {
                Tau2Message? result = null;
                if (next < messages.Count && messages[next].Role == Tau2Roles.Tool)
                {
                    result = messages[next];
                    next++;
                }
                yield return (call, result);
            }
        }
    }

    /// <summary>Agent and user databases hold the same state as <paramref name="other"/>'s (upstream: equal hashes).</summary>
    public (bool AgentMatch, bool UserMatch) CompareDatabases(Tau2Environment other)
    {
        var agent = AgentTools.Db!.SameState(other.AgentTools.Db!);
        var user = UserTools?.Db is null || other.UserTools?.Db is null
            ? UserTools?.Db is null == other.UserTools?.Db is null
            : UserTools.Db.SameState(other.UserTools.Db);
        return (agent, user);
    }

    public string AgentDbHash() => AgentTools.Db!.Hash();
    public string? UserDbHash() => UserTools?.Db?.Hash();
}
