using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime;

namespace ToolOrchestra.Server.Chat;

/// <summary>
/// The OpenAI wire format of a run: a <c>chat.completion</c>, or <c>chat.completion.chunk</c>s for a stream; both carry
/// <c>usage</c> (every call of the run summed) and an <c>orchestra</c> object (run id, dollars, seconds, stop reason,
/// model calls per alias and tool executions per tool) that OpenAI clients ignore and orchestra clients read.
/// </summary>
public static class ChatWire
{
    public const string Fingerprint = "toolorchestra";

    public static JsonObject Completion(string model, OrchestrationResult r, long created) => new()
    {
        ["id"] = CompletionId(r.RunId),
        ["object"] = "chat.completion",
        ["created"] = created,
        ["model"] = model,
        ["system_fingerprint"] = Fingerprint,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = r.Answer ?? "" },
            ["logprobs"] = null,
            ["finish_reason"] = FinishReason(r),
        }),
        ["usage"] = Usage(r),
        ["orchestra"] = Orchestra(r),
    };

    public static JsonObject Chunk(string runId, string model, long created, JsonObject? delta, string? finish = null)
    {
        var chunk = new JsonObject
        {
            ["id"] = CompletionId(runId),
            ["object"] = "chat.completion.chunk",
            ["created"] = created,
            ["model"] = model,
            ["system_fingerprint"] = Fingerprint,
            ["choices"] = delta is null ? new JsonArray()
                : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
        };
        return chunk;
    }

    public static string CompletionId(string runId) => "chatcmpl-" + runId;

    /// <summary><c>stop</c> for an answered run; <c>length</c> when a limit or budget ended it first.</summary>
    public static string FinishReason(OrchestrationResult r) => r.StopReason == StopReason.Answered ? "stop" : "length";

    public static JsonObject Usage(OrchestrationResult r) => new()
    {
        ["prompt_tokens"] = r.InputTokens,
        ["completion_tokens"] = r.OutputTokens,
        ["total_tokens"] = r.InputTokens + r.OutputTokens,
    };

    /// <summary>
    /// The run's summary; <c>calls</c> are model calls per alias (<c>orchestrator</c> for its own) and
    /// <c>tool_executions</c> the searches and code runs per tool, counted apart as <see cref="CallCount"/> defines.
    /// </summary>
    public static JsonObject Orchestra(OrchestrationResult r)
    {
        var (calls, executions) = CallCount.PerName(r.Calls);
        return new()
        {
            ["run_id"] = r.RunId,
            ["cost_usd"] = r.CostUsd,
            ["latency_s"] = r.LatencySeconds,
            ["wall_s"] = r.WallSeconds,
            ["stop_reason"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.StopReason.ToString()),
            ["stop_detail"] = r.StopDetail,
            ["turns"] = r.Trajectory.Turns.Count,
            ["calls"] = Counts(calls),
            ["tool_executions"] = Counts(executions),
        };
    }

    private static JsonObject Counts(SortedDictionary<string, int> counts) =>
        new(counts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
}
