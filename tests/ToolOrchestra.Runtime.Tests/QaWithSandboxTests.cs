using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Runtime.Tests;

/// <summary>enhance_reasoning end to end: the expert writes Python, the real bubblewrap sandbox runs it.</summary>
public sealed class QaWithSandboxTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private QaWorld _world = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _world = new QaWorld(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Code_output_enters_the_context_of_later_turns_and_is_priced_per_second()
    {
        _server.Script(QaWorld.Orchestrator, QaWorld.Call("enhance_reasoning", "reasoner-2"), QaWorld.Call("answer", "answer-1"));
        _server.Script(QaWorld.Local, new FakeReply("Let me compute.\n```python\nprint(sum(range(1, 101)))\n```"));
        _server.Script(QaWorld.Big, new FakeReply("<answer>5050</answer>"));
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20 }, _world.Catalog.ToolPrices);

        var t = await _world.Runner(new QaToolServices(CodeRunner: sandbox)).RunAsync(QaWorld.Ask("Sum 1..100?"));

        t.Answer.Should().Be("5050");
        t.Turns[0].Observation.Should().Contain("Exit code 0").And.Contain("5050");
        t.Turns[1].Prompt[1].Content.Should().Contain("python code and execution outputs:\n```python\nprint(sum(range(1, 101)))\n```\n\n```output\n5050\n\n```");
        _server.Requests.Single(r => r.Model == QaWorld.Big).LastUserText.Should().Contain("```output\n5050\n\n```");
        var code = t.Ledger.Single(e => e.Kind == CallKind.Code);
        code.CostUsd.Should().Be(decimal.Round((decimal)code.LatencySeconds * 0.0000083m, 12));
        code.Alias.Should().Be("reasoner-2");
    }
}
