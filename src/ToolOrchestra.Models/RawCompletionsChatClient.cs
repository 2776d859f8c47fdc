using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Models.Tokenization;
using TemplateMessage = ToolOrchestra.Models.Tokenization.ChatMessage;

namespace ToolOrchestra.Models;

/// <summary>
/// <see cref="IChatClient"/> over a raw <c>/v1/completions</c> endpoint (vLLM, llama.cpp): the conversation is
/// rendered with the Qwen3 chat template exactly as the model was trained, completed as plain text, and the text is
/// left for <see cref="HermesToolCallChatClient"/> to split into reasoning, message and tool calls. Token counts are
/// exact (our tokenizer) when the server reports none, and the prompt and completion token ids are attached under
/// <see cref="PromptIdsKey"/> / <see cref="CompletionIdsKey"/> so they can be carried into training samples.
/// </summary>
public sealed class RawCompletionsChatClient(Uri endpoint, string providerModel, string apiKey, Qwen3Tokenizer tokenizer, HttpClient? http = null)
    : WireChatClient(new ChatClientMetadata("openai-compatible-completions", endpoint, providerModel))
{
    public const string PromptIdsKey = "toolorchestra.prompt_token_ids";
    public const string CompletionIdsKey = "toolorchestra.completion_token_ids";
    public const string PromptTextKey = "toolorchestra.prompt_text";
    /// <summary>ChatOptions.AdditionalProperties key: false renders Qwen3's no-thinking generation prompt.</summary>
    public const string EnableThinkingKey = "enable_thinking";
    private const string EndOfTurn = "<|im_end|>";
    private readonly HttpClient _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

    public string Render(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options)
    {
        var tools = options?.Tools?.OfType<AIFunctionDeclaration>()
            .Select(f => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = f.Name,
                    ["description"] = f.Description,
                    ["parameters"] = JsonNode.Parse(f.JsonSchema.GetRawText()),
                },
            }).ToList();
        var thinking = options?.AdditionalProperties?.TryGetValue(EnableThinkingKey, out var t) != true || t is not false;
        return ChatTemplate.Qwen3.Render(messages.Select(ToTemplate).ToList(), tools is { Count: > 0 } ? tools : null, addGenerationPrompt: true, enableThinking: thinking);
    }

    protected override async Task<ChatResponse> SendAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var prompt = Render(messages, options);
        var promptIds = tokenizer.Encode(prompt);
        var body = new JsonObject
        {
            ["model"] = providerModel,
            ["prompt"] = prompt,
            ["max_tokens"] = options?.MaxOutputTokens ?? 8000,
            ["stop"] = new JsonArray(EndOfTurn),
            ["skip_special_tokens"] = false, // keep <think> and <tool_call> markers in the text (vLLM)
        };
        if (options?.Temperature is { } temperature) body["temperature"] = temperature;
        if (options?.Seed is { } seed) body["seed"] = seed;

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.ToString().TrimEnd('/') + "/completions"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        WireAttempt.MarkReply();
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw EndpointFailures.FromStatus((int)response.StatusCode, Encoding.UTF8.GetString(bytes),
                EndpointFailures.ParseRetryAfter(response.Headers.TryGetValues("Retry-After", out var ra) ? ra.FirstOrDefault() : null));
        if (EndpointFailures.CheckReply(response.Content.Headers.ContentType?.ToString(), bytes, "text") is { } failure) throw failure;

        var root = JsonNode.Parse(bytes)!; // CheckReply parsed it and found choices[0].text a string
        var completion = root["choices"]![0]!["text"]!.GetValue<string>();
        var completionIds = tokenizer.Encode(completion);
        var usage = root["usage"] as JsonObject;
        return new ChatResponse(new Microsoft.Extensions.AI.ChatMessage(ChatRole.Assistant, completion))
        {
            ModelId = providerModel,
            RawRepresentation = root,
            Usage = new UsageDetails
            {
                InputTokenCount = Count(usage, "prompt_tokens") ?? promptIds.Length,
                OutputTokenCount = Count(usage, "completion_tokens") ?? completionIds.Length,
            },
            AdditionalProperties = new()
            {
                [PromptIdsKey] = promptIds,
                [CompletionIdsKey] = completionIds,
                [PromptTextKey] = prompt,
            },
        };
    }

    /// <summary>A usage count, or null when absent or not an integer (then our exact count stands in).</summary>
    private static long? Count(JsonObject? usage, string name) =>
        usage?[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    private static TemplateMessage ToTemplate(Microsoft.Extensions.AI.ChatMessage m)
    {
        var text = string.Concat(m.Contents.OfType<TextContent>().Select(c => c.Text));
        if (m.Role == ChatRole.System) return TemplateMessage.System(text);
        if (m.Role == ChatRole.User) return TemplateMessage.User(text);
        if (m.Role == ChatRole.Tool)
        {
            var result = m.Contents.OfType<FunctionResultContent>().FirstOrDefault()?.Result;
            return TemplateMessage.Tool(result as string ?? JsonSerializer.Serialize(result));
        }
        var reasoning = string.Concat(m.Contents.OfType<TextReasoningContent>().Select(c => c.Text));
        var calls = m.Contents.OfType<FunctionCallContent>()
            .Select(c => ChatToolCall.FromJson(c.Name, JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), OrchestraJsonContext.Default.IDictionaryStringObject)))
            .ToList();
        return TemplateMessage.Assistant(text, reasoning.Length > 0 ? reasoning : null, calls.Count > 0 ? calls : null);
    }
}
