using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Models.Caching;

/// <summary>
/// A completed model call as the <see cref="ResponseCache"/> keeps it: the final reply (<see cref="ReplyJson"/>, after
/// tool-call parsing and retries, as the engine saw it) and what the call was billed when it was made — tokens, dollars
/// at the prices of that day, and seconds on the episode's clock — so a replay bills the reward exactly the same.
/// </summary>
public sealed record CachedCall(string ReplyJson, long InputTokens, long OutputTokens, decimal CostUsd, double LatencySeconds, bool TokensEstimated)
{
    /// <summary>Captures a reply and the ledger entry its call was billed.</summary>
    public static CachedCall From(ChatResponse response, LedgerEntry entry) =>
        new(Write(response), entry.InputTokens, entry.OutputTokens, entry.CostUsd, entry.LatencySeconds, entry.TokensEstimated);

    /// <summary>A fresh copy of the stored reply, with the usage it reported.</summary>
    public ChatResponse ToResponse()
    {
        using var doc = JsonDocument.Parse(ReplyJson);
        var root = doc.RootElement;
        var messages = new List<ChatMessage>();
        foreach (var m in root.GetProperty("messages").EnumerateArray())
        {
            var contents = new List<AIContent>();
            foreach (var c in m.GetProperty("contents").EnumerateArray())
                contents.Add(c.GetProperty("type").GetString() switch
                {
                    "reasoning" => new TextReasoningContent(c.GetProperty("text").GetString()),
                    "call" => ReadCall(c),
                    _ => new TextContent(c.GetProperty("text").GetString()),
                });
            messages.Add(new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), contents)
            {
                AuthorName = m.TryGetProperty("author", out var a) ? a.GetString() : null,
            });
        }
        var response = new ChatResponse(messages)
        {
            ModelId = root.TryGetProperty("model_id", out var id) ? id.GetString() : null,
            FinishReason = root.TryGetProperty("finish_reason", out var f) ? new ChatFinishReason(f.GetString()!) : null,
            Usage = TokensEstimated ? null : new UsageDetails { InputTokenCount = InputTokens, OutputTokenCount = OutputTokens, TotalTokenCount = InputTokens + OutputTokens },
        };
        if (root.TryGetProperty("properties", out var props))
        {
            response.AdditionalProperties = [];
            foreach (var p in props.EnumerateObject()) response.AdditionalProperties[p.Name] = p.Value.GetString();
        }
        return response;
    }

    private static FunctionCallContent ReadCall(JsonElement c)
    {
        var args = c.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Object
            ? a.Deserialize(OrchestraJsonContext.Default.DictionaryStringObject) : null;
        var call = new FunctionCallContent(c.GetProperty("id").GetString()!, c.GetProperty("name").GetString()!, args);
        // A call the parser could not read stays unreadable on replay: the orchestrator sees the same error.
        if (c.TryGetProperty("error", out var e)) call.Exception = new InvalidDataException(e.GetString());
        return call;
    }

    /// <summary>
    /// The reply in this cache's own small JSON shape: messages of text, reasoning and tool calls (with a parse error
    /// when the call had one), finish reason, model id, and the string-valued properties (the raw hermes text). What
    /// the engine attached for itself (the ledger entry) is not stored: a replay attaches its own.
    /// </summary>
    private static string Write(ChatResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            foreach (var m in response.Messages)
            {
                w.WriteStartObject();
                w.WriteString("role", m.Role.Value);
                if (m.AuthorName is { } author) w.WriteString("author", author);
                w.WriteStartArray("contents");
                foreach (var c in m.Contents)
                {
                    switch (c)
                    {
                        case TextContent t:
                            w.WriteStartObject();
                            w.WriteString("type", "text");
                            w.WriteString("text", t.Text);
                            w.WriteEndObject();
                            break;
                        case TextReasoningContent r:
                            w.WriteStartObject();
                            w.WriteString("type", "reasoning");
                            w.WriteString("text", r.Text);
                            w.WriteEndObject();
                            break;
                        case FunctionCallContent f:
                            w.WriteStartObject();
                            w.WriteString("type", "call");
                            w.WriteString("id", f.CallId);
                            w.WriteString("name", f.Name);
                            if (f.Arguments is not null)
                            {
                                w.WritePropertyName("arguments");
                                JsonSerializer.Serialize(w, f.Arguments, OrchestraJsonContext.Default.IDictionaryStringObject);
                            }
                            if (f.Exception is { } e) w.WriteString("error", e.Message);
                            w.WriteEndObject();
                            break;
                        // Usage and other metadata travel apart; images and the like are not in a reply the engine reads.
                    }
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (response.ModelId is { } id) w.WriteString("model_id", id);
            if (response.FinishReason is { } finish) w.WriteString("finish_reason", finish.Value);
            var strings = response.AdditionalProperties?.Where(p => p.Value is string).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
            if (strings is { Count: > 0 })
            {
                w.WriteStartObject("properties");
                foreach (var (k, v) in strings) w.WriteString(k, (string)v!);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
