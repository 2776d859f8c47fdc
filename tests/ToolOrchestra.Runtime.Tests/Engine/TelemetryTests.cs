using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ToolOrchestra.Core.Telemetry;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Testing;
using Attr = ToolOrchestra.Core.Telemetry.OrchestraTelemetry.Attributes;

namespace ToolOrchestra.Runtime.Tests.Engine;

public sealed class TelemetryTests : EngineTest
{
    [Fact]
    public async Task An_episode_is_an_invoke_agent_span_with_chat_and_execute_tool_children_carrying_gen_ai_attributes_and_dollars()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(OrchestraTelemetry.SourceName).AddInMemoryExporter(spans).Build())
        using (var meter = Sdk.CreateMeterProviderBuilder().AddMeter(OrchestraTelemetry.SourceName).AddInMemoryExporter(metrics).Build())
        {
            Server.Script(QaWorld.Orchestrator, FakeReply.Call("word_count", new { text = "one two" }, 1000, 100), FakeReply.Call("answer", new { model = "answer-1" }, 1200, 80));
            Server.Script(QaWorld.Big, new FakeReply("<answer>2</answer>", PromptTokens: 4000, CompletionTokens: 250));
            await using var sp = Engine(more: s => s.AddTool<WordCountTool>());
            var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("How many words?"));
            tracer.ForceFlush();
            meter.ForceFlush();

            // Other tests run in parallel and emit too: keep this episode's trace.
            var root = spans.Single(s => s.OperationName.StartsWith("invoke_agent", StringComparison.Ordinal) && (string?)s.GetTagItem(Attr.ConversationId) == result.RunId);
            var tree = spans.Where(s => s.TraceId == root.TraceId).ToList();
            root.ParentSpanId.Should().Be(default(ActivitySpanId));
            root.GetTagItem(Attr.OperationName).Should().Be("invoke_agent");
            root.GetTagItem(Attr.CostAmount).Should().Be((double)result.CostUsd);
            root.GetTagItem(Attr.CostCurrency).Should().Be("USD");
            root.GetTagItem(Attr.StopReason).Should().Be("answered");

            var orchestratorChats = tree.Where(s => s.ParentSpanId == root.SpanId && s.OperationName.StartsWith("chat", StringComparison.Ordinal)).ToList();
            orchestratorChats.Should().HaveCount(2);
            orchestratorChats.Select(s => s.GetTagItem(Attr.InputTokens)).Should().Equal(1000L, 1200L);
            orchestratorChats.Should().OnlyContain(s => (string?)s.GetTagItem(Attr.RequestModel) == QaWorld.Orchestrator && s.Kind == ActivityKind.Client);

            var tools = tree.Where(s => s.ParentSpanId == root.SpanId && s.OperationName.StartsWith("execute_tool", StringComparison.Ordinal)).ToList();
            tools.Select(s => s.GetTagItem(Attr.ToolName)).Should().Equal("word_count", "answer");
            tools[0].GetTagItem(Attr.CostAmount).Should().Be(0.001);
            var expertChat = tree.Single(s => s.ParentSpanId == tools[1].SpanId);
            expertChat.GetTagItem(Attr.OperationName).Should().Be("chat");
            expertChat.GetTagItem(Attr.Alias).Should().Be("answer-1");
            expertChat.GetTagItem(Attr.OutputTokens).Should().Be(250L);
            expertChat.GetTagItem(Attr.CostAmount).Should().Be((double)(4000 * 1.25m / 1_000_000m + 250 * 10m / 1_000_000m));
            expertChat.GetTagItem(Attr.CostCurrency).Should().Be("USD");

            tree.SelectMany(s => s.TagObjects).Should().NotContain(t => t.Value != null && t.Value.ToString()!.Contains(Key), "API keys never reach spans");
        }
        metrics.Select(m => m.Name).Should().Contain(["gen_ai.client.token.usage", "gen_ai.client.operation.duration", "orchestra.cost.usd"]);
    }
}
