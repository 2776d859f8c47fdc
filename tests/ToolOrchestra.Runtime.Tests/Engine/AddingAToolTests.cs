using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>A tool of the user's own: this class plus one registration is all it takes.</summary>
public sealed class WordCountTool : IOrchestratorTool
{
    public string Name => "word_count";

    public AIFunctionDeclaration? Declare(ToolOffer offer) => AIFunctionFactory.CreateDeclaration(Name, "Counts the words of a text.",
        JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""").RootElement.Clone());

    public Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        var text = invocation.String("text");
        if (text is null) return Task.FromResult(ToolOutput.Failed("word_count needs a string argument \"text\"."));
        var price = invocation.Context.Catalog.ToolPrices.PerTool?.GetValueOrDefault(Name) ?? 0m;
        invocation.Context.Ledger.Record(new LedgerEntry(invocation.Context.Turn, CallKind.Tool, Name, null, null, 0, 0, price, 0));
        return Task.FromResult(new ToolOutput($"{text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length} words"));
    }
}

public sealed class AddingAToolTests : EngineTest
{
    [Fact]
    public async Task A_new_tool_is_one_class_plus_one_registration_and_the_orchestrator_calls_it()
    {
        Server.Script(QaWorld.Orchestrator,
            FakeReply.Call("word_count", new { text = "the quick brown fox" }),
            FakeReply.Call("answer", new { model = "answer-1" }));
        Server.Script(QaWorld.Big, new FakeReply("<answer>4</answer>"));
        await using var sp = Engine(more: s => s.AddTool<WordCountTool>());

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("How many words in 'the quick brown fox'?"));

        Server.Requests.First(r => r.Model == QaWorld.Orchestrator).ToolNames.Should().Equal("enhance_reasoning", "answer", "search", "word_count");
        result.Trajectory.Turns[0].Call!.Name.Should().Be("word_count");
        result.Trajectory.Turns[0].Observation.Should().Be("4 words");
        result.Calls.Should().ContainSingle(c => c.Tool == "word_count" && c.CostUsd == 0.001m);
        // The tool's result reaches the next prompt and the expert through the gathered context.
        Server.Requests.Where(r => r.Model == QaWorld.Orchestrator).Last().LastUserText.Should().Contain("word_count returned: 4 words");
        result.Answer.Should().Be("4");
    }

    [Fact]
    public async Task A_tool_called_with_arguments_that_are_not_an_object_is_an_error_observation()
    {
        Server.Script(QaWorld.Orchestrator,
            new FakeReply("<tool_call>\n{\"name\": \"word_count\", \"arguments\": [1, 2]}\n</tool_call>"),
            FakeReply.Call("answer", new { model = "answer-2" }));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{0}"));
        await using var sp = Engine(more: s => s.AddTool(new WordCountTool()));

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Count?"));

        result.Trajectory.Turns[0].Error.Should().Contain("word_count");
        result.StopReason.Should().Be(StopReason.Answered);
    }
}
