using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Models;

/// <summary>
/// Where a model call belongs in the ledger: which trajectory, turn, tool and alias it serves. <see cref="Time"/>, when
/// set, is the episode's clock (a virtual clock in the offline world), so one client stack can serve many episodes.
/// The ledger carries the episode's budget, so every call made in this scope is held to it.
/// </summary>
public sealed record LedgerScope(Ledger Ledger, int Turn, CallKind Kind, string Tool, string? Alias, TimeProvider? Time = null)
{
    public const string Key = "toolorchestra.ledger_scope";

    /// <summary>The scope a call carries in its options, if any.</summary>
    public static LedgerScope? From(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(Key, out var s) == true ? s as LedgerScope : null;

    public ChatOptions Apply(ChatOptions options)
    {
        (options.AdditionalProperties ??= [])[Key] = this;
        return options;
    }
}

/// <summary>
/// Decorator that accounts every call: tokens from the endpoint's usage (estimated with the token counter and
/// flagged when the endpoint reports none), dollars from the catalog price of this model, wall-clock seconds
/// including retries. The entry is recorded in the scope's ledger and attached to the response under <see cref="EntryKey"/>.
/// A stream is accounted when it completes (usage from its last chunk when the server sends it); the entry then
/// arrives in one extra update, so <c>ToChatResponse()</c> carries it like a whole response does. A call that fails (except a nested orchestrator that reports what its failed run spent),
/// or a stream abandoned before its end, is not billed. A model with <c>"api": "orchestra"</c> (another orchestrator) is
/// billed the dollars and seconds its run reports, and the entry names that inner run.
/// </summary>
public sealed class LedgerChatClient(IChatClient inner, ModelEntry model, ITokenCounter counter, TimeProvider? time = null)
    : DelegatingChatClient(inner)
{
    public const string EntryKey = "toolorchestra.ledger_entry";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var scope = LedgerScope.From(options);
        var time = scope?.Time ?? _time;
        var started = time.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (EndpointException e) when (e.Spent is { } spent)
        {
            // A nested orchestrator failed after spending: bill what its server booked, then let the failure through.
            scope?.Ledger.Record(new LedgerEntry(scope.Turn, scope.Kind, scope.Tool, scope.Alias, model.Id, 0, 0, spent.CostUsd, spent.Seconds, false, spent.RunId));
            throw;
        }
        (response.AdditionalProperties ??= [])[EntryKey] = Account(list, options, response, scope, time.GetElapsedTime(started).TotalSeconds);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var scope = LedgerScope.From(options);
        var time = scope?.Time ?? _time;
        var started = time.GetTimestamp();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }
        var entry = Account(list, options, updates.ToChatResponse(), scope, time.GetElapsedTime(started).TotalSeconds);
        // No message id: ToChatResponse() then files the properties under the response, not a message.
        yield return new ChatResponseUpdate
        {
            ResponseId = updates.LastOrDefault()?.ResponseId,
            AdditionalProperties = new() { [EntryKey] = entry },
        };
    }

    private LedgerEntry Account(IReadOnlyList<ChatMessage> list, ChatOptions? options, ChatResponse response, LedgerScope? scope, double seconds)
    {
        var estimated = response.Usage?.InputTokenCount is null || response.Usage?.OutputTokenCount is null;
        var input = response.Usage?.InputTokenCount ?? EstimateInput(list, options);
        var output = response.Usage?.OutputTokenCount ?? EstimateOutput(response);
        // A nested orchestrator's run was already priced call by call where it ran: bill what it reports, once.
        var reported = response.AdditionalProperties?.TryGetValue(ReportedRun.Key, out var r) == true ? r as ReportedRun : null;
        var entry = new LedgerEntry(scope?.Turn ?? 0, scope?.Kind ?? CallKind.Expert, scope?.Tool ?? "chat", scope?.Alias, model.Id,
            input, output, reported?.CostUsd ?? model.Price.CostOf(input, output), reported?.Seconds ?? seconds, estimated, reported?.RunId);
        scope?.Ledger.Record(entry);
        return entry;
    }

    private long EstimateInput(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        long n = 0;
        foreach (var m in messages) n += counter.Count(m.Text) + 4; // role markers and separators
        foreach (var t in options?.Tools ?? [])
            if (t is AIFunctionDeclaration f) n += counter.Count(f.Name) + counter.Count(f.Description) + counter.Count(f.JsonSchema.GetRawText());
        return n;
    }

    private long EstimateOutput(ChatResponse response)
    {
        var raw = response.AdditionalProperties?.TryGetValue(HermesToolCallChatClient.RawContentKey, out var r) == true ? r as string : null;
        long n = counter.Count(raw ?? response.Text);
        if (raw is null)
            foreach (var c in response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
                n += counter.Count(c.Name) + counter.Count(c.Arguments is null ? "null" : JsonSerializer.Serialize(c.Arguments, OrchestraJsonContext.Default.IDictionaryStringObject));
        return n;
    }
}
