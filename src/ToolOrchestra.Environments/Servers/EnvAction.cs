using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Environments.Servers;

/// <summary>A message or action that does not fit the protocol's shape: OpenEnv's <c>VALIDATION_ERROR</c>.</summary>
internal sealed class EnvValidationException(string message) : Exception(message);

/// <summary>
/// The trainer's action for one QA turn, as the policy's output: raw assistant text (<c>{"message": "…"}</c>, parsed
/// exactly as the engine parses a model reply, hermes <c>&lt;tool_call&gt;</c> blocks and <c>&lt;think&gt;</c>) or
/// structured calls (<c>{"tool_calls": [{"name", "arguments"}]}</c>). Which tool, alias or arguments are valid is the
/// engine's to judge: a wrong call becomes an error observation there, as for a model.
/// </summary>
internal static class EnvAction
{
    public static PolicyDecision Parse(JsonElement action)
    {
        if (action.ValueKind != JsonValueKind.Object) throw new EnvValidationException("the action must be a JSON object: {\"message\": \"…\"} or {\"tool_calls\": [{\"name\", \"arguments\"}]}.");
        JsonElement? message = null, calls = null;
        foreach (var p in action.EnumerateObject())
        {
            switch (p.Name)
            {
                case "message": message = p.Value; break;
                case "tool_calls": calls = p.Value; break;
                case "metadata": break;
                default: throw new EnvValidationException($"action field '{p.Name}' is not known; an action has message or tool_calls (and optional metadata).");
            }
        }
        if (message is not null == calls is not null) throw new EnvValidationException("give exactly one of action.message (the raw assistant text) or action.tool_calls.");
        if (message is { } m)
        {
            if (m.ValueKind != JsonValueKind.String) throw new EnvValidationException("action.message must be a string (the assistant's text).");
            return FromText(m.GetString()!);
        }
        if (calls!.Value.ValueKind != JsonValueKind.Array) throw new EnvValidationException("action.tool_calls must be an array of {\"name\", \"arguments\"}.");
        var list = new List<PolicyCall>();
        var i = 0;
        foreach (var c in calls.Value.EnumerateArray())
        {
            if (c.ValueKind != JsonValueKind.Object || !c.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw new EnvValidationException($"action.tool_calls[{i}] needs a string \"name\".");
            var args = c.TryGetProperty("arguments", out var a) ? a : default;
            // The same reading as a model's block: arguments may be an object or a JSON string of one.
            var block = new JsonObject { ["name"] = name.GetString(), ["arguments"] = args.ValueKind == JsonValueKind.Undefined ? new JsonObject() : JsonNode.Parse(args.GetRawText()) };
            var parsed = HermesCall.FromJson(block.ToJsonString());
            list.Add(ToPolicyCall(parsed));
            i++;
        }
        var raw = string.Concat(list.Select(c => $"<tool_call>\n{{\"name\": {JsonValue.Create(c.Name).ToJsonString()}, \"arguments\": {c.ArgumentsJson}}}\n</tool_call>"));
        return new PolicyDecision(raw, null, "", list);
    }

    /// <summary>The assistant's text read as <see cref="HermesToolCallChatClient"/> reads a reply without server-parsed calls.</summary>
    public static PolicyDecision FromText(string raw)
    {
        var parsed = HermesOutput.Parse(raw);
        return new PolicyDecision(raw, parsed.Reasoning.Length > 0 ? parsed.Reasoning : null, parsed.Text, parsed.Calls.Select(ToPolicyCall).ToList());
    }

    private static PolicyCall ToPolicyCall(HermesCall call) =>
        call.Error is null
            ? new PolicyCall(call.Name!, call.ArgumentsJson)
            : new PolicyCall(call.Name ?? HermesToolCallChatClient.InvalidCallName, "{}", $"{call.Error}: {call.Raw}");
}
