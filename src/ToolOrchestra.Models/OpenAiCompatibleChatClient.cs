using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ToolOrchestra.Models;

/// <summary>
/// <see cref="IChatClient"/> over any OpenAI-compatible <c>/v1/chat/completions</c> endpoint (vLLM, Ollama, llama.cpp,
/// NIM, OpenAI). The wire is the official Microsoft.Extensions.AI.OpenAI adapter (<c>AsIChatClient()</c>) rather than a
/// hand-written mapping: it maps tools, seeds, stop sequences, usage and real SSE streaming (asking for usage in the
/// last chunk), reads vLLM's <c>reasoning_content</c> as <see cref="TextReasoningContent"/>, and leaves hermes
/// <c>&lt;tool_call&gt;</c> / <c>&lt;think&gt;</c> text untouched in the content for <see cref="HermesToolCallChatClient"/>.
/// What it cannot do alone, typing a reply that cannot be used, is added as a step in the SDK's HTTP pipeline
/// (<see cref="ReplyValidationPolicy"/>). The SDK's own retries are off: retries are the
/// <see cref="RetryingChatClient"/> decorator's job, so every attempt is visible and accounted once.
/// </summary>
public sealed class OpenAiCompatibleChatClient : WireChatClient
{
    private readonly IChatClient _adapter;
    private readonly bool _reportsRuns;

    /// <param name="reportsRuns">The endpoint is another orchestrator (<c>orchestra serve</c>): send the nesting chain, read its run report.</param>
    public OpenAiCompatibleChatClient(Uri endpoint, string providerModel, string apiKey, TimeSpan requestTimeout, bool reportsRuns = false)
        : base(new ChatClientMetadata("openai", endpoint, providerModel))
    {
        _reportsRuns = reportsRuns;
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = requestTimeout,
            Transport = new HttpClientPipelineTransport(new HttpClient(new WireAttempt.MarkingHandler(new SocketsHttpHandler())) { Timeout = Timeout.InfiniteTimeSpan }),
        };
        options.AddPolicy(new DeclaredToolsPolicy(), PipelinePosition.PerCall);
        options.AddPolicy(new ReplyValidationPolicy(), PipelinePosition.PerTry);
        if (reportsRuns) options.AddPolicy(new OrchestrationChain.Policy(), PipelinePosition.PerCall);
        _adapter = new ChatClient(providerModel, new ApiKeyCredential(apiKey), options).AsIChatClient();
    }

    protected override async Task<ChatResponse> SendAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await DeclaredToolsPolicy.WithAsync(DeclaredToolsPolicy.WireTools(options),
            () => _adapter.GetResponseAsync(messages, options, cancellationToken)).ConfigureAwait(false);
        if (_reportsRuns && response.RawRepresentation is ChatCompletion completion
            && ReportedRun.FromCompletionJson(ModelReaderWriter.Write(completion, ModelReaderWriterOptions.Json)) is { } report)
            (response.AdditionalProperties ??= [])[ReportedRun.Key] = report;
        return response;
    }

    protected override async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Set inside the iterator: the request goes out on the first step, within this flow.
        DeclaredToolsPolicy.Set(DeclaredToolsPolicy.WireTools(options));
        await foreach (var update in _adapter.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            yield return update;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _adapter.Dispose();
    }
}
