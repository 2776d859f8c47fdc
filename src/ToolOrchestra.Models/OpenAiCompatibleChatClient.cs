using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;
using OaChatMessage = OpenAI.Chat.ChatMessage;
using AiFinish = Microsoft.Extensions.AI.ChatFinishReason;
using OaFinish = OpenAI.Chat.ChatFinishReason;

namespace ToolOrchestra.Models;

/// <summary>
/// <see cref="IChatClient"/> over any OpenAI-compatible <c>/v1/chat/completions</c> endpoint (vLLM, Ollama,
/// llama.cpp, NIM, OpenAI) using the OpenAI SDK for the wire. The SDK's own retries are off: retries are the
/// <see cref="RetryingChatClient"/> decorator's job, so every attempt is visible and accounted once.
/// </summary>
public sealed class OpenAiCompatibleChatClient : WireChatClient
{
    private readonly ChatClient _client;

    public OpenAiCompatibleChatClient(Uri endpoint, string providerModel, string apiKey, TimeSpan requestTimeout)
        : base(new ChatClientMetadata("openai-compatible", endpoint, providerModel))
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = requestTimeout,
        };
        _client = new ChatClient(providerModel, new ApiKeyCredential(apiKey), options);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var completionOptions = new ChatCompletionOptions();
        if (options?.Temperature is { } t) completionOptions.Temperature = t;
        if (options?.MaxOutputTokens is { } m) completionOptions.MaxOutputTokenCount = m;
#pragma warning disable OPENAI001 // seed is marked experimental by the SDK; tau2 trials pass it as upstream does
        if (options?.Seed is { } seed) completionOptions.Seed = seed;
#pragma warning restore OPENAI001
        if (options?.StopSequences is { Count: > 0 } stops) foreach (var s in stops) completionOptions.StopSequences.Add(s);
        foreach (var tool in options?.Tools ?? [])
            if (tool is AIFunctionDeclaration f)
                completionOptions.Tools.Add(ChatTool.CreateFunctionTool(f.Name, f.Description, BinaryData.FromString(f.JsonSchema.GetRawText())));

        ClientResult<ChatCompletion> result = await _client.CompleteChatAsync(messages.Select(ToWire), completionOptions, cancellationToken).ConfigureAwait(false);
        return FromWire(result.Value);
    }


    private static OaChatMessage ToWire(AiChatMessage m)
    {
        var text = string.Concat(m.Contents.OfType<Microsoft.Extensions.AI.TextContent>().Select(c => c.Text));
        if (m.Role == AiChatRole.System) return new SystemChatMessage(text);
        if (m.Role == AiChatRole.User) return new UserChatMessage(text);
        if (m.Role == AiChatRole.Tool)
        {
            var r = m.Contents.OfType<FunctionResultContent>().FirstOrDefault()
                ?? throw new ArgumentException("a tool message needs a FunctionResultContent");
            return new ToolChatMessage(r.CallId, r.Result as string ?? JsonSerializer.Serialize(r.Result));
        }
        var calls = m.Contents.OfType<FunctionCallContent>()
            .Select(c => ChatToolCall.CreateFunctionToolCall(c.CallId, c.Name, BinaryData.FromString(JsonSerializer.Serialize(c.Arguments))))
            .ToList();
        if (calls.Count == 0) return new AssistantChatMessage(text);
        var assistant = new AssistantChatMessage(calls);
        if (text.Length > 0) assistant.Content.Add(ChatMessageContentPart.CreateTextPart(text));
        return assistant;
    }

    private static ChatResponse FromWire(ChatCompletion completion)
    {
        var message = new AiChatMessage(AiChatRole.Assistant, []);
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        if (text.Length > 0) message.Contents.Add(new Microsoft.Extensions.AI.TextContent(text));
        foreach (var call in completion.ToolCalls)
            message.Contents.Add(ToFunctionCall(call.Id, call.FunctionName, call.FunctionArguments.ToString()));

        var response = new ChatResponse(message)
        {
            ModelId = completion.Model,
            ResponseId = completion.Id,
            RawRepresentation = completion,
            FinishReason = completion.FinishReason switch
            {
                OaFinish.Stop => AiFinish.Stop,
                OaFinish.Length => AiFinish.Length,
                OaFinish.ToolCalls => AiFinish.ToolCalls,
                OaFinish.ContentFilter => AiFinish.ContentFilter,
                _ => null,
            },
        };
        // Servers that omit "usage" yield no usage here; the ledger then estimates and flags the counts.
        if (completion.Usage is { } u && (u.InputTokenCount > 0 || u.OutputTokenCount > 0))
            response.Usage = new UsageDetails { InputTokenCount = u.InputTokenCount, OutputTokenCount = u.OutputTokenCount, TotalTokenCount = u.TotalTokenCount };
        return response;
    }

    /// <summary>A wire tool call whose arguments are not a JSON object keeps its raw text and an exception the runtime reports.</summary>
    internal static FunctionCallContent ToFunctionCall(string callId, string name, string argumentsJson)
    {
        try
        {
            var args = string.IsNullOrWhiteSpace(argumentsJson)
                ? new Dictionary<string, object?>()
                : JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson);
            return new FunctionCallContent(callId, name, args);
        }
        catch (JsonException e)
        {
            return new FunctionCallContent(callId, name)
            {
                Exception = new InvalidDataException($"arguments of '{name}' are not a JSON object: {argumentsJson}", e),
            };
        }
    }
}
