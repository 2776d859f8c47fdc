using System.ClientModel.Primitives;
using System.Text.Json;

namespace ToolOrchestra.Models;

/// <summary>
/// Recursive orchestration: which orchestrators the current run is nested in, outermost first, as <c>server/profile</c>
/// names. An <c>orchestra serve</c> handling a request sets <see cref="Current"/> for its run; calls from that run to a
/// catalog model with <c>"api": "orchestra"</c> carry it in the <see cref="Header"/> header, so the server receiving
/// one can refuse a cycle (its own name already in the chain) or a nesting deeper than it allows.
/// </summary>
public static class OrchestrationChain
{
    public const string Header = "X-Orchestra-Chain";

    /// <summary>The caller's remaining dollars, sent to a nested orchestrator, which narrows its run's budget to it.</summary>
    public const string BudgetHeader = "X-Orchestra-Budget-Usd";

    private static readonly AsyncLocal<IReadOnlyList<string>?> Chain = new();
    private static readonly AsyncLocal<decimal?> Budget = new();

    /// <summary>The budget a call to a nested orchestrator on this async flow gives it (set by <see cref="BudgetChatClient"/>).</summary>
    public static decimal? BudgetUsd
    {
        get => Budget.Value;
        set => Budget.Value = value;
    }

    /// <summary>The chain of the run executing on this async flow; empty outside any served run.</summary>
    public static IReadOnlyList<string> Current
    {
        get => Chain.Value ?? [];
        set => Chain.Value = value;
    }

    public static IReadOnlyList<string> Parse(string? header) =>
        string.IsNullOrWhiteSpace(header) ? [] : header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>HTTP pipeline step of an orchestra-api model: sends the current chain and budget along.</summary>
    internal sealed class Policy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Stamp(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Stamp(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private static void Stamp(PipelineMessage message)
        {
            if (Current.Count > 0) message.Request.Headers.Set(Header, string.Join(",", Current));
            if (BudgetUsd is { } usd) message.Request.Headers.Set(BudgetHeader, usd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>
/// What a nested orchestrator reported for the run it made (its reply's <c>orchestra</c> object): the ledger bills
/// these dollars and seconds for the call, never its tokens at a price a second time, and the trajectory keeps the
/// inner run's id.
/// </summary>
public sealed record ReportedRun(string RunId, decimal CostUsd, double Seconds)
{
    public const string Key = "toolorchestra.reported_run";

    /// <summary>Reads the <c>orchestra</c> object of a chat completion's JSON; null when there is none.</summary>
    public static ReportedRun? FromCompletionJson(BinaryData json)
    {
        using var doc = JsonDocument.Parse(json);
        return From(doc.RootElement);
    }

    /// <summary>Reads the <c>error.orchestra</c> object of a failed nested run's error reply; null when there is none or it is not JSON.</summary>
    public static ReportedRun? FromErrorJson(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? From(error) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ReportedRun? From(JsonElement parent)
    {
        if (!parent.TryGetProperty("orchestra", out var o) || o.ValueKind != JsonValueKind.Object
            || !o.TryGetProperty("run_id", out var id) || !o.TryGetProperty("cost_usd", out var cost)
            || cost.ValueKind != JsonValueKind.Number || !cost.TryGetDecimal(out var usd)) return null;
        var seconds = o.TryGetProperty("wall_s", out var w) && w.ValueKind == JsonValueKind.Number && w.TryGetDouble(out var s) ? Math.Max(0, s) : 0;
        // Never a negative bill: an orchestrator cannot pay money back into a budget.
        return new ReportedRun(id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText(), Math.Max(0, usd), seconds);
    }
}
