using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime;

namespace ToolOrchestra.Server.Chat;

/// <summary>
/// The OpenAI wire format of a run: a <c>chat.completion</c>, or <c>chat.completion.chunk</c>s for a stream; both carry
/// <c>usage</c> (every call of the run summed) and an <c>orchestra</c> object (run id, dollars, seconds, stop reason,
/// calls per alias) that OpenAI clients ignore and orchestra clients read.
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

    public static JsonObject Orchestra(OrchestrationResult r) => new()
    {
        ["run_id"] = r.RunId,
        ["cost_usd"] = r.CostUsd,
        ["latency_s"] = r.LatencySeconds,
        ["wall_s"] = r.WallSeconds,
        ["stop_reason"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.StopReason.ToString()),
        ["stop_detail"] = r.StopDetail,
        ["turns"] = r.Trajectory.Turns.Count,
        ["calls"] = CallsPerAlias(r.Calls),
    };

    /// <summary>Calls counted by alias; calls without one by what they were (the orchestrator's own turns, a search, code).</summary>
    public static JsonObject CallsPerAlias(IEnumerable<LedgerEntry> calls)
    {
        var counts = new JsonObject();
        foreach (var g in calls.GroupBy(Bucket).OrderBy(g => g.Key, StringComparer.Ordinal))
            counts[g.Key] = g.Count();
        return counts;
    }

    public static string Bucket(LedgerEntry c) => c.Alias ?? (c.Kind == CallKind.Orchestrator ? "orchestrator" : c.Tool);
}
