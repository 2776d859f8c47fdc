using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Telemetry;
using Attr = ToolOrchestra.Core.Telemetry.OrchestraTelemetry.Attributes;

namespace ToolOrchestra.Models;

/// <summary>
/// Decorator that emits one OpenTelemetry GenAI <c>chat {model}</c> client span per model call and the token, duration
/// and cost metrics (names in <see cref="OrchestraTelemetry"/>). It wraps the ledger decorator so the span carries
/// the ledger entry's tokens and dollars, the same numbers the run is billed, and the ledger's seconds (the episode's
/// clock). Only names, counts and the endpoint's host are recorded: never prompt or reply text, API keys or headers.
/// </summary>
public sealed class TelemetryChatClient(IChatClient inner, ModelEntry model, string providerName = "openai", TimeProvider? time = null)
    : DelegatingChatClient(inner)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Uri? _endpoint = Uri.TryCreate(model.Endpoint, UriKind.Absolute, out var u) ? u : null;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var scope = LedgerScope.From(options);
        using var activity = Start(scope);
        var started = (scope?.Time ?? _time).GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            Succeeded(activity, scope, response, (scope?.Time ?? _time).GetElapsedTime(started).TotalSeconds);
            return response;
        }
        catch (Exception e)
        {
            Failed(activity, e, (scope?.Time ?? _time).GetElapsedTime(started).TotalSeconds);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var scope = LedgerScope.From(options);
        using var activity = Start(scope);
        var started = (scope?.Time ?? _time).GetTimestamp();
        var updates = new List<ChatResponseUpdate>();
        await using var stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try { more = await stream.MoveNextAsync().ConfigureAwait(false); }
            catch (Exception e)
            {
                Failed(activity, e, (scope?.Time ?? _time).GetElapsedTime(started).TotalSeconds);
                throw;
            }
            if (!more) break;
            updates.Add(stream.Current);
            yield return stream.Current;
        }
        Succeeded(activity, scope, updates.ToChatResponse(), (scope?.Time ?? _time).GetElapsedTime(started).TotalSeconds);
    }

    private Activity? Start(LedgerScope? scope)
    {
        var activity = OrchestraTelemetry.Source.StartActivity($"{OrchestraTelemetry.Operations.Chat} {model.Name}", ActivityKind.Client);
        if (activity is null) return null;
        activity.SetTag(Attr.OperationName, OrchestraTelemetry.Operations.Chat);
        activity.SetTag(Attr.ProviderName, providerName);
        activity.SetTag(Attr.RequestModel, model.Name);
        activity.SetTag(Attr.CatalogModel, model.Id);
        if (_endpoint is not null)
        {
            activity.SetTag(Attr.ServerAddress, _endpoint.Host);
            activity.SetTag(Attr.ServerPort, _endpoint.Port);
        }
        if (scope is not null)
        {
            activity.SetTag(Attr.Alias, scope.Alias);
            activity.SetTag(Attr.Turn, scope.Turn);
            activity.SetTag(Attr.CallKind, CallKindName(scope.Kind));
        }
        return activity;
    }

    private void Succeeded(Activity? activity, LedgerScope? scope, ChatResponse response, double measuredSeconds)
    {
        var entry = response.AdditionalProperties?.TryGetValue(LedgerChatClient.EntryKey, out var e) == true ? e as LedgerEntry : null;
        var input = entry?.InputTokens ?? response.Usage?.InputTokenCount;
        var output = entry?.OutputTokens ?? response.Usage?.OutputTokenCount;
        var responseModel = response.ModelId ?? model.Name;
        if (activity is not null)
        {
            activity.SetTag(Attr.ResponseModel, responseModel);
            if (input is { } i) activity.SetTag(Attr.InputTokens, i);
            if (output is { } o) activity.SetTag(Attr.OutputTokens, o);
            if (entry is not null)
            {
                activity.SetTag(Attr.CostAmount, (double)entry.CostUsd);
                activity.SetTag(Attr.CostCurrency, "USD");
                if (entry.Cached) activity.SetTag(Attr.Cached, true);
            }
        }

        var tags = Tags(responseModel);
        if (input is { } inTokens) OrchestraTelemetry.TokenUsage.Record(inTokens, [.. tags, new(Attr.TokenType, "input")]);
        if (output is { } outTokens) OrchestraTelemetry.TokenUsage.Record(outTokens, [.. tags, new(Attr.TokenType, "output")]);
        OrchestraTelemetry.OperationDuration.Record(entry?.LatencySeconds ?? measuredSeconds, tags);
        if (entry is { Cached: false }) // a replayed call spent no money
            OrchestraTelemetry.CostUsd.Add((double)entry.CostUsd,
                [new(Attr.CallKind, CallKindName(scope?.Kind ?? entry.Kind)), new(Attr.RequestModel, model.Name), new(Attr.Alias, entry.Alias)]);
    }

    private void Failed(Activity? activity, Exception e, double seconds)
    {
        if (e is OperationCanceledException) return; // the caller gave up; not the endpoint's failure
        var errorType = e is EndpointException ee ? ee.Kind.ToString() : e.GetType().FullName ?? e.GetType().Name;
        activity?.SetTag(Attr.ErrorType, errorType);
        activity?.SetStatus(ActivityStatusCode.Error, errorType);
        OrchestraTelemetry.OperationDuration.Record(seconds, [.. Tags(null), new(Attr.ErrorType, errorType)]);
    }

    private KeyValuePair<string, object?>[] Tags(string? responseModel) => responseModel is null
        ? [new(Attr.OperationName, OrchestraTelemetry.Operations.Chat), new(Attr.ProviderName, providerName), new(Attr.RequestModel, model.Name)]
        : [new(Attr.OperationName, OrchestraTelemetry.Operations.Chat), new(Attr.ProviderName, providerName), new(Attr.RequestModel, model.Name),
            new(Attr.ResponseModel, responseModel)];

    private static string CallKindName(CallKind kind) => kind.ToString().ToLowerInvariant();
}
