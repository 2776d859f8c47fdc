using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Telemetry;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Wire;

/// <summary>What an OpenTelemetry exporter sees of a model call: the GenAI chat span with the billed dollars, and the metrics.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private const string Name = "provider/telemetry"; // only this test's calls, while other tests run alongside
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync()
    {
        await TestCatalog.WarmUpAsync();
        _server = await FakeOpenAiServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_call_is_a_chat_span_with_usage_cost_and_scope_and_metrics_and_a_failure_carries_its_kind()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(OrchestraTelemetry.SourceName).AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(OrchestraTelemetry.SourceName).AddInMemoryExporter(metrics).Build();
        var model = TestCatalog.Model(_server.BaseUrl) with { Name = Name };
        var client = TestCatalog.Factory(_server.BaseUrl, retries: 0, model: model).For("m");
        _server.Script(Name, new FakeReply("secret answer text", PromptTokens: 1000, CompletionTokens: 200), FakeReply.Error(400));
        var ledger = new Ledger();

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "secret prompt text")], TestCatalog.Scoped(ledger));
        await ((Func<Task>)(() => client.GetResponseAsync(TestCatalog.Question, TestCatalog.Scoped(ledger)))).Should().ThrowAsync<EndpointException>();
        tracing.ForceFlush();
        metering.ForceFlush();

        var mine = spans.Where(s => s.GetTagItem(OrchestraTelemetry.Attributes.RequestModel) as string == Name).ToList();
        mine.Should().HaveCount(2);
        var ok = mine[0];
        ok.DisplayName.Should().Be($"chat {Name}");
        ok.Kind.Should().Be(ActivityKind.Client);
        var tags = ok.TagObjects.ToDictionary(t => t.Key, t => t.Value);
        tags.Should().Contain(new Dictionary<string, object?>
        {
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.provider.name"] = "openai",
            ["gen_ai.request.model"] = Name,
            ["gen_ai.response.model"] = Name,
            ["gen_ai.usage.input_tokens"] = 1000L,
            ["gen_ai.usage.output_tokens"] = 200L,
            ["gen_ai.usage.cost.amount"] = 0.00325, // 1000 × 1.25/1e6 + 200 × 10/1e6, as billed
            ["gen_ai.usage.cost.currency"] = "USD",
            ["orchestra.alias"] = "answer-1",
            ["orchestra.turn"] = 2,
            ["orchestra.call.kind"] = "expert",
            ["server.address"] = "127.0.0.1",
            ["server.port"] = new Uri(_server.BaseUrl).Port,
        });
        tags.Values.OfType<string>().Should().NotContain(v => v.Contains("secret"));
        mine[1].GetTagItem("error.type").Should().Be("ClientError");
        mine[1].Status.Should().Be(ActivityStatusCode.Error);

        Points("gen_ai.client.token.usage").Select(p => (Tag(p, "gen_ai.token.type"), p.GetHistogramSum()))
            .Should().BeEquivalentTo([("input", 1000.0), ("output", 200.0)]);
        Points("gen_ai.client.operation.duration").Select(p => Tag(p, "error.type")).Should().BeEquivalentTo([null, "ClientError"]);
        Points("orchestra.cost.usd").Select(p => (Tag(p, "orchestra.call.kind"), p.GetSumDouble())).Should().BeEquivalentTo([("expert", 0.00325)]);

        IEnumerable<MetricPoint> Points(string name)
        {
            foreach (var metric in metrics.Where(m => m.Name == name))
                foreach (ref readonly var point in metric.GetMetricPoints())
                    if (Tag(point, "gen_ai.request.model") == Name) yield return point;
        }
    }

    [Fact]
    public async Task A_streamed_call_is_a_chat_span_with_the_billed_cost()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(OrchestraTelemetry.SourceName).AddInMemoryExporter(spans).Build();
        var model = TestCatalog.Model(_server.BaseUrl) with { Name = Name + "-stream" };
        _server.Script(model.Name, new FakeReply("streamed", PromptTokens: 1000, CompletionTokens: 200));

        await foreach (var _ in TestCatalog.Factory(_server.BaseUrl, model: model).For("m").GetStreamingResponseAsync(TestCatalog.Question, TestCatalog.Scoped(new Ledger()))) { }
        tracing.ForceFlush();

        var span = spans.Single(s => s.GetTagItem(OrchestraTelemetry.Attributes.RequestModel) as string == model.Name);
        (span.GetTagItem("gen_ai.usage.output_tokens"), span.GetTagItem("gen_ai.usage.cost.amount")).Should().Be((200L, 0.00325));
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == key) return tag.Value as string;
        return null;
    }
}
