using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Episodes;

namespace ToolOrchestra.Runtime;

/// <summary>
/// An orchestrator as a drop-in <see cref="IChatClient"/>: the last user message is the problem (earlier messages are
/// stated before it as context); the reply is the answer, <see cref="ChatResponse.Usage"/> sums every call of the run,
/// and the ledger, stop reason, dollars and trajectory path travel in <see cref="ChatResponse.AdditionalProperties"/>
/// under the <c>orchestra.*</c> keys below. Preferences come from <see cref="ChatOptions.AdditionalProperties"/>
/// under <see cref="PreferencesKey"/>: a <see cref="Preferences"/> object or its JSON (weights or pref_vec,
/// only_tags, exclude_aliases, statement).
/// </summary>
public sealed class OrchestratorChatClient(IOrchestrator orchestrator, string modelId) : IChatClient
{
    public const string PreferencesKey = "orchestra.preferences";
    public const string BudgetUsdKey = "orchestra.budget_usd";
    public const string RunIdKey = "orchestra.run_id";
    public const string CallsKey = "orchestra.calls";
    public const string StopReasonKey = "orchestra.stop_reason";
    public const string StopDetailKey = "orchestra.stop_detail";
    public const string CostUsdKey = "orchestra.cost_usd";
    public const string LatencySecondsKey = "orchestra.latency_s";
    public const string WallSecondsKey = "orchestra.wall_s";
    public const string TrajectoryPathKey = "orchestra.trajectory_path";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await orchestrator.RunAsync(Request(messages, options), cancellationToken).ConfigureAwait(false);
        return Response(result);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in orchestrator.RunEventsAsync(Request(messages, options), cancellationToken).ConfigureAwait(false))
        {
            switch (e)
            {
                case ToolObserved t:
                    // Progress as reasoning, so a client shows it without mistaking it for the answer.
                    yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextReasoningContent($"[turn {t.Turn}] {t.Tool}{(t.Alias is null ? "" : $" ({t.Alias})")}\n")])
                    { ModelId = modelId, ResponseId = e.RunId };
                    break;
                case RunFinished f:
                    var response = Response(f.Result);
                    yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent(f.Result.Answer ?? ""), new UsageContent(response.Usage!)])
                    {
                        ModelId = modelId, ResponseId = e.RunId, FinishReason = response.FinishReason, AdditionalProperties = response.AdditionalProperties,
                    };
                    break;
            }
        }
    }

    private static OrchestrationRequest Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var props = options?.AdditionalProperties;
        return OrchestrationRequest.FromConversation(messages) with
        {
            Preferences = PreferencesFrom(props?.TryGetValue(PreferencesKey, out var p) == true ? p : null),
            BudgetUsd = props?.TryGetValue(BudgetUsdKey, out var b) == true ? Convert.ToDecimal(b, System.Globalization.CultureInfo.InvariantCulture) : null,
        };
    }

    private static Preferences PreferencesFrom(object? value) => value switch
    {
        null => Preferences.None,
        Preferences p => p,
        string json => Preferences.Read(new JsonFields("ChatOptions.AdditionalProperties", PreferencesKey, ParseJson(json))),
        JsonElement e => Preferences.Read(new JsonFields("ChatOptions.AdditionalProperties", PreferencesKey, e)),
        _ => throw new UserError($"ChatOptions.AdditionalProperties[{PreferencesKey}] must be a Preferences object or its JSON, not {value.GetType().Name}."),
    };

    private static JsonElement ParseJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new UserError($"ChatOptions.AdditionalProperties[{PreferencesKey}] is not JSON ({e.Message}).");
        }
    }

    private ChatResponse Response(OrchestrationResult r) => new(new ChatMessage(ChatRole.Assistant, r.Answer ?? ""))
    {
        ModelId = modelId,
        ResponseId = r.RunId,
        FinishReason = r.StopReason == StopReason.Answered ? ChatFinishReason.Stop : ChatFinishReason.Length,
        Usage = new UsageDetails { InputTokenCount = r.InputTokens, OutputTokenCount = r.OutputTokens, TotalTokenCount = r.InputTokens + r.OutputTokens },
        AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [RunIdKey] = r.RunId,
            [CallsKey] = r.Calls,
            [StopReasonKey] = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.StopReason.ToString()),
            [StopDetailKey] = r.StopDetail,
            [CostUsdKey] = r.CostUsd,
            [LatencySecondsKey] = r.LatencySeconds,
            [WallSecondsKey] = r.WallSeconds,
            [TrajectoryPathKey] = r.TrajectoryPath,
        },
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("toolorchestra", null, modelId)
        : serviceKey is null && serviceType.IsInstanceOfType(orchestrator) ? orchestrator
        : null;

    public void Dispose() { }
}
