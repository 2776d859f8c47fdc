using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Environments.Servers;

/// <summary>
/// OpenEnv's wire shapes for QA episodes: a step result is <c>{"observation": {…}, "reward", "done"}</c>; WebSocket
/// replies are <c>{"type": "observation"|"state"|"error", "data": {…}}</c>; errors carry one of OpenEnv's codes.
/// The observation holds the exact chat request the orchestrator would be sent: <c>messages</c> and <c>tools</c>.
/// </summary>
internal static class EnvWire
{
    public const string InvalidJson = "INVALID_JSON", UnknownType = "UNKNOWN_TYPE", ValidationError = "VALIDATION_ERROR",
        ExecutionError = "EXECUTION_ERROR", CapacityReached = "CAPACITY_REACHED", SessionError = "SESSION_ERROR";

    public static JsonObject Step(JsonObject observation, double? reward, bool done) => new()
    {
        ["observation"] = observation,
        ["reward"] = reward,
        ["done"] = done,
    };

    public static JsonObject Reply(string type, JsonNode data) => new() { ["type"] = type, ["data"] = data };

    public static JsonObject Error(string code, string message) =>
        Reply("error", new JsonObject { ["message"] = SecretRedactorText(message), ["code"] = code });

    /// <summary>One turn's prompt: the messages and tools exactly as the LLM orchestrator would receive them.</summary>
    public static JsonObject Observation(QaObservation o, string taskId, string? runId, TurnOutcome? previous) => new()
    {
        ["messages"] = new JsonArray(o.Prompt.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
        ["tools"] = Tools(o.Toolset.Declarations),
        ["turn"] = o.Turn,
        ["task_id"] = taskId,
        ["run_id"] = runId,
        ["last_result"] = previous is null || previous.Turn >= o.Turn ? null : Outcome(previous),
        ["cost_usd"] = o.CostUsd,
        ["metadata"] = new JsonObject(),
    };

    /// <summary>
    /// The end of an episode. <c>reward</c> is the episode's outcome (1 solved, 0 not); the paper's reward normalises
    /// calls, dollars and seconds over a GRPO group, which one episode does not have, so the raw terms go in
    /// <c>metadata</c> and <c>orchestra reward</c> over a group's stored runs gives the group-normalised reward.
    /// </summary>
    public static JsonObject Final(OrchestrationResult r, string taskId, bool correct, Preferences preferences, string groupId, TurnOutcome? last)
    {
        var perAlias = new JsonObject();
        foreach (var g in r.Trajectory.Turns.Where(t => t.Call?.Alias is not null).GroupBy(t => t.Call!.Alias!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            perAlias[g.Key] = g.Count();
        var weights = new JsonObject();
        foreach (var (key, w) in preferences.Weights.OrderBy(kv => kv.Key, StringComparer.Ordinal)) weights[key] = w;
        return new JsonObject
        {
            ["messages"] = new JsonArray(),
            ["tools"] = new JsonArray(),
            ["turn"] = r.Trajectory.Turns.Count,
            ["task_id"] = taskId,
            ["run_id"] = r.RunId,
            ["last_result"] = last is null ? null : Outcome(last),
            ["cost_usd"] = r.CostUsd,
            ["answer"] = r.Answer,
            ["stop_reason"] = StopReasonText(r.StopReason),
            ["metadata"] = new JsonObject
            {
                ["outcome"] = correct ? 1 : 0,
                ["correct"] = correct,
                ["cost_usd"] = r.CostUsd,
                ["latency_s"] = r.LatencySeconds,
                ["wall_s"] = r.WallSeconds,
                ["turns"] = r.Trajectory.Turns.Count,
                ["calls_per_alias"] = perAlias,
                ["preference_weights"] = weights,
                ["group_id"] = groupId,
                ["trajectory"] = r.TrajectoryPath,
                ["group_reward"] = "needs the group: the paper's reward min-max normalises calls per alias, outcome, -dollars and -seconds over the episodes of one group and weights them by the preferences; run `orchestra reward` over the group's stored runs",
            },
        };
    }

    private static string StopReasonText(StopReason reason) =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString()); // as the trajectory writes it

    private static JsonObject Outcome(TurnOutcome o) => new()
    {
        ["turn"] = o.Turn,
        ["tool"] = o.Tool,
        ["alias"] = o.Alias,
        ["is_error"] = o.IsError,
        ["content"] = o.Observation,
    };

    /// <summary>The tools in OpenAI's request shape, <c>{"type": "function", "function": {"name", "description", "parameters"}}</c>, as declared.</summary>
    public static JsonArray Tools(IEnumerable<AIFunctionDeclaration> declarations) =>
        new(declarations.Select(f => (JsonNode)new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = f.Name,
                ["description"] = f.Description,
                ["parameters"] = JsonNode.Parse(f.JsonSchema.GetRawText()),
            },
        }).ToArray());

    private static string SecretRedactorText(string message) => ToolOrchestra.Core.Text.SecretRedactor.Redact(message);
}
