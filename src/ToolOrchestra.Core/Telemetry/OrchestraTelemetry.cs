using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ToolOrchestra.Core.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> and <see cref="Meter"/> of the project, and the OpenTelemetry GenAI attribute
/// names it emits (semantic conventions for generative AI; the cost attributes are the names proposed upstream and
/// not yet standard). Spans: <c>invoke_agent</c> (an episode), <c>chat</c> (a model call), <c>execute_tool</c>.
/// Listeners subscribe by <see cref="SourceName"/>; nothing is recorded when nobody listens.
/// </summary>
public static class OrchestraTelemetry
{
    public const string SourceName = "ToolOrchestra";
    public static readonly ActivitySource Source = new(SourceName, "1.0");
    public static readonly Meter Meter = new(SourceName, "1.0");

    public static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Tokens per model call, by gen_ai.token.type (input, output)");
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "Seconds per model call, retries included");
    public static readonly Counter<double> CostUsd = Meter.CreateCounter<double>(
        "orchestra.cost.usd", "USD", "Dollars spent, by kind of call (orchestrator, expert, code, search, tool)");

    public static class Operations
    {
        public const string InvokeAgent = "invoke_agent", Chat = "chat", ExecuteTool = "execute_tool";
    }

    /// <summary>Attribute names (OpenTelemetry GenAI semantic conventions).</summary>
    public static class Attributes
    {
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string RequestModel = "gen_ai.request.model";
        public const string ResponseModel = "gen_ai.response.model";
        public const string InputTokens = "gen_ai.usage.input_tokens";
        public const string OutputTokens = "gen_ai.usage.output_tokens";
        public const string CostAmount = "gen_ai.usage.cost.amount";
        public const string CostCurrency = "gen_ai.usage.cost.currency";
        public const string TokenType = "gen_ai.token.type";
        public const string AgentName = "gen_ai.agent.name";
        public const string ConversationId = "gen_ai.conversation.id";
        public const string ToolName = "gen_ai.tool.name";
        public const string ToolCallId = "gen_ai.tool.call.id";
        public const string ErrorType = "error.type";
        public const string ServerAddress = "server.address";
        public const string ServerPort = "server.port";
        // Our own: where a call sits in the episode.
        public const string Alias = "orchestra.alias";
        public const string Turn = "orchestra.turn";
        public const string StopReason = "orchestra.stop_reason";
        public const string CallKind = "orchestra.call.kind";
        /// <summary>The catalog's id of the model (gen_ai.request.model is the name the provider knows it by).</summary>
        public const string CatalogModel = "orchestra.model.id";
        /// <summary>True on a call replayed from the response cache: its cost is the reward's, not money spent.</summary>
        public const string Cached = "orchestra.cache.hit";
    }
}
