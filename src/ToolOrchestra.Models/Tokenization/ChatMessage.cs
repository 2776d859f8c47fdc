using System.Text.Json.Nodes;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// One message of a conversation for <see cref="ChatTemplate.Render"/>, in the OpenAI / Hugging Face shape:
/// <c>role</c> is <c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>; an assistant message may carry its
/// reasoning (rendered inside <c>&lt;think&gt;</c>) and tool calls (rendered as hermes <c>&lt;tool_call&gt;</c> blocks);
/// a <c>tool</c> message carries one tool response. The template needs text <see cref="Content"/> for system, user and
/// assistant messages (use <c>""</c> for none); null content is an error there, as it is in the reference.
/// </summary>
public sealed record ChatMessage(string Role, string? Content)
{
    /// <summary>The assistant's reasoning; null means none was recorded (then a <c>&lt;think&gt;</c> block in Content is used).</summary>
    public string? ReasoningContent { get; init; }

    /// <summary>The assistant's tool calls, rendered in order after its content.</summary>
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }

    public static ChatMessage System(string content) => new("system", content);
    public static ChatMessage User(string content) => new("user", content);
    public static ChatMessage Assistant(string content, string? reasoning = null, IReadOnlyList<ChatToolCall>? toolCalls = null) =>
        new("assistant", content) { ReasoningContent = reasoning, ToolCalls = toolCalls };
    public static ChatMessage Tool(string content) => new("tool", content);
}

/// <summary>
/// A tool call of an assistant message. <paramref name="Arguments"/> is any JSON value: an object is written with the
/// template's <c>tojson</c> (as Hugging Face and vLLM render parsed arguments, e.g. <c>{"model": "search-1"}</c>);
/// a JSON string is written verbatim (as OpenAI-style string arguments are).
/// </summary>
public sealed record ChatToolCall(string Name, JsonNode? Arguments)
{
    /// <summary>A call whose arguments are given as JSON text, rendered as the parsed object.</summary>
    public static ChatToolCall FromJson(string name, string argumentsJson) => new(name, JsonNode.Parse(argumentsJson));
}
