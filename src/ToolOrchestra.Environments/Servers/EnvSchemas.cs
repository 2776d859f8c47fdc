using System.Text.Json.Nodes;

namespace ToolOrchestra.Environments.Servers;

/// <summary>The JSON schemas <c>GET /schema</c> returns (OpenEnv's <c>{"action", "observation", "state"}</c>) for QA episodes.</summary>
internal static class EnvSchemas
{
    public static JsonObject All() => new()
    {
        ["action"] = JsonNode.Parse(Action),
        ["observation"] = JsonNode.Parse(Observation),
        ["state"] = JsonNode.Parse(State),
    };

    private const string Action = """
    {
      "title": "QaAction", "type": "object", "additionalProperties": false,
      "description": "The policy's output for one turn: the raw assistant text (parsed as the engine parses a model reply: <think> reasoning, <tool_call>{\"name\", \"arguments\"}</tool_call> blocks) or structured tool calls. Exactly one of message or tool_calls; the engine runs the first valid call.",
      "properties": {
        "message": { "type": "string", "description": "Raw assistant text with <tool_call> blocks" },
        "tool_calls": { "type": "array", "items": { "type": "object", "required": ["name"], "properties": {
          "name": { "type": "string" },
          "arguments": { "description": "A JSON object, or a string holding one", "type": ["object", "string"] } } } },
        "metadata": { "type": "object" }
      },
      "oneOf": [ { "required": ["message"] }, { "required": ["tool_calls"] } ]
    }
    """;

    private const string Observation = """
    {
      "title": "QaObservation", "type": "object",
      "description": "The orchestrator's next chat request (messages and tools exactly as orchestra run sends them), what the previous action led to, and at the end the answer and the reward terms.",
      "properties": {
        "messages": { "type": "array", "items": { "type": "object", "required": ["role", "content"], "properties": { "role": { "type": "string" }, "content": { "type": "string" } } } },
        "tools": { "type": "array", "items": { "type": "object", "description": "{\"type\": \"function\", \"function\": {\"name\", \"description\", \"parameters\"}}" } },
        "turn": { "type": "integer", "minimum": 0 },
        "task_id": { "type": "string" },
        "run_id": { "type": ["string", "null"] },
        "last_result": { "type": ["object", "null"], "properties": {
          "turn": { "type": "integer" }, "tool": { "type": "string" }, "alias": { "type": ["string", "null"] },
          "is_error": { "type": "boolean", "description": "true for an invalid action (no or a bad tool call) or a failed tool" }, "content": { "type": "string" } } },
        "cost_usd": { "type": "number" },
        "answer": { "type": ["string", "null"] },
        "stop_reason": { "type": "string" },
        "done": { "type": "boolean" },
        "reward": { "type": ["number", "null"], "description": "At the end: the outcome (1 solved, 0 not)" },
        "metadata": { "type": "object", "description": "At the end: outcome, correct, cost_usd, latency_s, wall_s, turns, calls_per_alias, preference_weights, group_id, trajectory" }
      },
      "required": ["messages", "tools", "turn", "task_id"]
    }
    """;

    private const string State = """
    {
      "title": "QaState", "type": "object",
      "properties": {
        "episode_id": { "type": ["string", "null"] },
        "step_count": { "type": "integer", "minimum": 0 },
        "session_id": { "type": "string" },
        "run_id": { "type": ["string", "null"] },
        "task_id": { "type": ["string", "null"] },
        "turn": { "type": ["integer", "null"] },
        "done": { "type": "boolean" },
        "cost_usd": { "type": ["number", "null"] }
      },
      "required": ["step_count"]
    }
    """;
}
