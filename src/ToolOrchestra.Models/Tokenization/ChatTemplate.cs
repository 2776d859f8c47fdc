using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// Renders conversations with the Qwen3 chat template (hermes <c>&lt;tool_call&gt;</c> blocks, <c>&lt;think&gt;</c>
/// reasoning, <c>&lt;tool_response&gt;</c> turns, optional tools list, generation prompt, thinking on/off), byte for
/// byte as @huggingface/jinja renders the template in Qwen3's <c>tokenizer_config.json</c>. There is no general
/// Jinja engine here: the template text is recognised by its SHA-256 and any other template is refused.
/// Note the reference's string methods ignore their arguments: <c>strip('\n')</c> trims all JavaScript whitespace.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>SHA-256 (UTF-8) of the chat template of Qwen3 (Qwen3-8B and Orchestrator-8B).</summary>
    public const string Qwen3Sha256 = "87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5";

    /// <summary>The Qwen3 template, for callers that have no <c>tokenizer_config.json</c> at hand.</summary>
    public static ChatTemplate Qwen3 { get; } = new();

    private ChatTemplate() { }

    /// <summary>
    /// Reads <c>chat_template</c> from <c>tokenizer_config.json</c> at <paramref name="path"/> (the file or its folder)
    /// and checks it is the supported Qwen3 template; otherwise throws <see cref="UserError"/> saying so.
    /// </summary>
    public static ChatTemplate Load(string path)
    {
        var file = TokenizerFile.Resolve(path, "tokenizer_config.json");
        string? template;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = new JsonFields(file, "$", doc.RootElement).Object();
            var field = root.Field("chat_template");
            template = field.Element.ValueKind switch
            {
                JsonValueKind.String => field.Element.GetString(),
                JsonValueKind.Array => field.Element.EnumerateArray()
                    .FirstOrDefault(t => t.TryGetProperty("name", out var n) && n.ValueEquals("default"))
                    is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("template", out var text) ? text.GetString() : null,
                _ => null,
            };
            if (template is null) throw field.Error("expected the template text (or a list holding a \"default\" template).");
        }
        catch (JsonException e)
        {
            throw new UserError($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        return FromTemplateText(template, file);
    }

    /// <summary>The renderer for <paramref name="template"/> when it is the supported Qwen3 template.</summary>
    public static ChatTemplate FromTemplateText(string template, string source = "chat template")
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template)));
        return hash == Qwen3Sha256
            ? Qwen3
            : throw new UserError($"{source}: chat_template is not a supported template (sha256 {hash}). Supported: the Qwen3 " +
                $"chat template with hermes tool calls and <think> (sha256 {Qwen3Sha256}). Render other templates with a Jinja engine.");
    }

    /// <summary>
    /// Renders <paramref name="messages"/> with optional <paramref name="tools"/> (OpenAI-style tool definitions,
    /// each written with <c>tojson</c>). <paramref name="addGenerationPrompt"/> appends the assistant header;
    /// with <paramref name="enableThinking"/> false it also appends an empty think block, as Qwen3 expects.
    /// </summary>
    public string Render(IReadOnlyList<ChatMessage> messages, IReadOnlyList<JsonNode>? tools = null,
        bool addGenerationPrompt = false, bool enableThinking = true)
    {
        var values = messages.Select(ToValue).ToList();
        var toolValues = tools is null ? TemplateValue.Null : TemplateValue.Array(tools.Select(TemplateValue.FromJson).ToList());
        return Qwen3ChatRenderer.Render(TemplateValue.Array(values), toolValues, addGenerationPrompt, TemplateValue.Boolean(enableThinking));
    }

    /// <summary>
    /// Renders messages and tools given as JSON text (an array of message objects, an array of tool objects or
    /// null), read as the reference reads them (<c>JSON.parse</c>): any field the template reads may have any type
    /// and behaves as it does there. <paramref name="what"/> names the source in error messages.
    /// </summary>
    public string RenderJson(string messagesJson, string? toolsJson = null, bool addGenerationPrompt = false,
        bool enableThinking = true, string what = "messages")
    {
        var messages = TemplateValue.ParseJson(messagesJson, what);
        if (messages.Kind != TemplateValue.Type.Array)
            throw new UserError($"{what}: expected a JSON array of messages, found {messages.Describe()}.");
        var tools = toolsJson is null ? TemplateValue.Null : TemplateValue.ParseJson(toolsJson, "tools");
        return Qwen3ChatRenderer.Render(messages, tools, addGenerationPrompt, TemplateValue.Boolean(enableThinking));
    }

    private static TemplateValue ToValue(ChatMessage m)
    {
        var fields = new List<KeyValuePair<string, TemplateValue>>
        {
            new("role", TemplateValue.String(m.Role)),
            new("content", m.Content is null ? TemplateValue.Null : TemplateValue.String(m.Content)),
        };
        if (m.ReasoningContent is not null) fields.Add(new("reasoning_content", TemplateValue.String(m.ReasoningContent)));
        if (m.ToolCalls is { Count: > 0 } calls)
        {
            var list = calls.Select(c => TemplateValue.Object(
            [
                new("type", TemplateValue.String("function")),
                new("function", TemplateValue.Object(
                [
                    new("name", TemplateValue.String(c.Name)),
                    new("arguments", TemplateValue.FromJson(c.Arguments)),
                ])),
            ])).ToList();
            fields.Add(new("tool_calls", TemplateValue.Array(list)));
        }
        return TemplateValue.Object(fields);
    }
}
