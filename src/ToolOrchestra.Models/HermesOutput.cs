using System.Text.Json;

namespace ToolOrchestra.Models;

/// <summary>
/// Output of a Qwen3-family model in hermes style, split into its parts: <c>&lt;think&gt;</c> reasoning, visible text,
/// and <c>&lt;tool_call&gt;{"name":..,"arguments":{..}}&lt;/tool_call&gt;</c> blocks. Servers without a tool parser
/// (vLLM without <c>--tool-call-parser</c>, llama.cpp) return this text as plain content.
/// </summary>
public sealed record HermesOutput(string Reasoning, string Text, IReadOnlyList<HermesCall> Calls)
{
    private const string ThinkOpen = "<think>", ThinkClose = "</think>";
    private const string CallOpen = "<tool_call>", CallClose = "</tool_call>";

    public static HermesOutput Parse(string content)
    {
        var reasoning = "";
        var rest = content;
        // The Qwen3 template may open <think> inside the prompt, so a lone </think> also ends reasoning.
        var close = rest.IndexOf(ThinkClose, StringComparison.Ordinal);
        if (close >= 0)
        {
            var open = rest.IndexOf(ThinkOpen, StringComparison.Ordinal);
            var start = open >= 0 && open < close ? open + ThinkOpen.Length : 0;
            reasoning = rest[start..close].Trim();
            rest = (open >= 0 && open < close ? rest[..open] : "") + rest[(close + ThinkClose.Length)..];
        }

        var calls = new List<HermesCall>();
        var text = new System.Text.StringBuilder();
        var i = 0;
        while (true)
        {
            var o = rest.IndexOf(CallOpen, i, StringComparison.Ordinal);
            if (o < 0) { text.Append(rest, i, rest.Length - i); break; }
            text.Append(rest, i, o - i);
            var bodyStart = o + CallOpen.Length;
            var c = rest.IndexOf(CallClose, bodyStart, StringComparison.Ordinal);
            var body = c >= 0 ? rest[bodyStart..c] : rest[bodyStart..]; // an unclosed last block runs to the end
            calls.Add(HermesCall.FromJson(body.Trim()));
            if (c < 0) break;
            i = c + CallClose.Length;
        }
        return new HermesOutput(reasoning, text.ToString().Trim(), calls);
    }
}

/// <summary>
/// One hermes tool-call block. When the block is not a JSON object with a string <c>name</c> and an object
/// <c>arguments</c>, <see cref="Error"/> says why and <see cref="Raw"/> keeps the text for the trajectory.
/// </summary>
public sealed record HermesCall(string? Name, string ArgumentsJson, string Raw, string? Error)
{
    public static HermesCall FromJson(string raw)
    {
        try
        {
            using var doc = JsonDocument.Parse(raw);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new(null, "{}", raw, "the tool call is not a JSON object");
            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                return new(null, "{}", raw, "the tool call has no string \"name\"");
            var args = root.TryGetProperty("arguments", out var a) ? a : default;
            if (args.ValueKind == JsonValueKind.String) // some models double-encode arguments
            {
                try { using var inner = JsonDocument.Parse(args.GetString()!); return Checked(name.GetString()!, inner.RootElement, raw); }
                catch (JsonException) { return new(name.GetString(), "{}", raw, "\"arguments\" is a string that is not valid JSON"); }
            }
            return args.ValueKind == JsonValueKind.Undefined
                ? new(name.GetString(), "{}", raw, null)
                : Checked(name.GetString()!, args, raw);
        }
        catch (JsonException e)
        {
            return new(null, "{}", raw, $"the tool call is not valid JSON ({e.Message.Split(" Path:")[0]})");
        }
    }

    private static HermesCall Checked(string name, JsonElement args, string raw) =>
        args.ValueKind == JsonValueKind.Object
            ? new(name, args.GetRawText(), raw, null)
            : new(name, "{}", raw, "\"arguments\" is not a JSON object");
}
