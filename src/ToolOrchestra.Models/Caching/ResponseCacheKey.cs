using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Models.Caching;

/// <summary>
/// What identifies a model call in the <see cref="ResponseCache"/>: the SHA-256 of a canonical serialization of exactly
/// what goes on the wire — the model (id, endpoint, provider name, API), every message (role, author, each content in
/// order), the tools offered and the tool mode, and every sampling parameter (temperature, top-p, top-k, penalties,
/// <c>max_tokens</c> as sent, stop sequences, seed, response format, extra wire properties) — followed by the sample
/// index. Properties the engine carries for its own steps (<c>toolorchestra.*</c>: the ledger scope) are not sent, so
/// they are not part of the key. The serialization is versioned: a change to it starts a fresh cache rather than
/// replaying a reply under another request.
/// </summary>
public static class ResponseCacheKey
{
    private const string Version = "toolorchestra.response_cache.v1";
    private const string InternalPrefix = "toolorchestra.";

    /// <summary>The request's hash (32 bytes), without the sample index.</summary>
    public static byte[] Request(ModelEntry model, IReadOnlyList<ChatMessage> messages, ChatOptions? options, int? maxOutputTokens)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("v", Version);
            w.WriteString("model", model.Id);
            w.WriteString("endpoint", model.Endpoint);
            w.WriteString("name", model.Name);
            w.WriteString("api", model.Api.ToString());
            w.WriteStartArray("messages");
            foreach (var m in messages) WriteMessage(w, m);
            w.WriteEndArray();
            WriteOptions(w, options, maxOutputTokens);
            w.WriteEndObject();
        }
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>The stored key: the request's hash followed by the sample index (big-endian), 36 bytes.</summary>
    public static byte[] WithSample(byte[] request, int sampleIndex)
    {
        var key = new byte[request.Length + 4];
        request.CopyTo(key, 0);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(request.Length), sampleIndex);
        return key;
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage m)
    {
        w.WriteStartObject();
        w.WriteString("role", m.Role.Value);
        if (m.AuthorName is { } author) w.WriteString("author", author);
        w.WriteStartArray("contents");
        foreach (var c in m.Contents)
        {
            w.WriteStartObject();
            switch (c)
            {
                case TextContent t:
                    w.WriteString("text", t.Text);
                    break;
                case TextReasoningContent r:
                    w.WriteString("reasoning", r.Text);
                    break;
                case FunctionCallContent f:
                    w.WriteString("call", f.CallId);
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("arguments");
                    if (f.Arguments is null) w.WriteNullValue();
                    else JsonSerializer.Serialize(w, f.Arguments, OrchestraJsonContext.Default.IDictionaryStringObject);
                    break;
                case FunctionResultContent f:
                    w.WriteString("result", f.CallId);
                    w.WritePropertyName("value");
                    WriteValue(w, f.Result);
                    break;
                case DataContent d:
                    w.WriteString("media", d.MediaType);
                    w.WriteString("sha256", Convert.ToHexString(SHA256.HashData(d.Data.Span)));
                    break;
                case UriContent u:
                    w.WriteString("media", u.MediaType);
                    w.WriteString("uri", u.Uri.ToString());
                    break;
                default:
                    w.WriteString("other", c.GetType().FullName);
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter w, ChatOptions? o, int? maxOutputTokens)
    {
        w.WriteStartObject("options");
        if (o?.ModelId is { } id) w.WriteString("model_id", id);
        if (o?.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
        if (o?.TopP is { } topP) w.WriteNumber("top_p", topP);
        if (o?.TopK is { } topK) w.WriteNumber("top_k", topK);
        if (o?.FrequencyPenalty is { } fp) w.WriteNumber("frequency_penalty", fp);
        if (o?.PresencePenalty is { } pp) w.WriteNumber("presence_penalty", pp);
        if (maxOutputTokens is { } max) w.WriteNumber("max_tokens", max);
        if (o?.Seed is { } seed) w.WriteNumber("seed", seed);
        if (o?.StopSequences is { Count: > 0 } stops)
        {
            w.WriteStartArray("stop");
            foreach (var s in stops) w.WriteStringValue(s);
            w.WriteEndArray();
        }
        switch (o?.ResponseFormat)
        {
            case ChatResponseFormatJson json:
                w.WriteStartObject("response_format");
                w.WriteString("type", "json");
                if (json.SchemaName is { } name) w.WriteString("name", name);
                if (json.Schema is { } schema)
                {
                    w.WritePropertyName("schema");
                    schema.WriteTo(w);
                }
                w.WriteEndObject();
                break;
            case ChatResponseFormatText:
                w.WriteString("response_format", "text");
                break;
        }
        if (o?.ToolMode is { } mode)
            w.WriteString("tool_mode", mode switch
            {
                NoneChatToolMode => "none",
                RequiredChatToolMode { RequiredFunctionName: { } f } => "required:" + f,
                RequiredChatToolMode => "required",
                _ => "auto",
            });
        if (o?.AllowMultipleToolCalls is { } multiple) w.WriteBoolean("parallel_tool_calls", multiple);
        if (o?.Tools is { Count: > 0 } tools)
        {
            w.WriteStartArray("tools");
            foreach (var t in tools)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("description", t.Description);
                if (t is AIFunctionDeclaration f)
                {
                    w.WritePropertyName("parameters");
                    f.JsonSchema.WriteTo(w);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (o?.AdditionalProperties is { Count: > 0 } extra)
        {
            w.WriteStartObject("extra");
            foreach (var (k, v) in extra.Where(p => !p.Key.StartsWith(InternalPrefix, StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(k);
                WriteValue(w, v);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case JsonElement e: e.WriteTo(w); break;
            case System.Text.Json.Nodes.JsonNode n: n.WriteTo(w); break;
            case IFormattable f: w.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: w.WriteStringValue(value.GetType().FullName + ":" + value); break;
        }
    }
}
