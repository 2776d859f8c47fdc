using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Runtime.Tests;

/// <summary>enhance_reasoning end to end: the expert writes Python, the real bubblewrap sandbox runs it.</summary>
public sealed class QaWithSandboxTests : QaServerTest
{

    [Fact]
    public async Task Code_output_enters_the_context_of_later_turns_and_is_priced_per_second()
    {
        Server.Script(QaWorld.Orchestrator, QaWorld.Call("enhance_reasoning", "reasoner-2"), QaWorld.Call("answer", "answer-1"));
        Server.Script(QaWorld.Local, new FakeReply("Let me compute.\n```python\nprint(sum(range(1, 101)))\n```"));
        Server.Script(QaWorld.Big, new FakeReply("<answer>5050</answer>"));
        var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 20 }, World.Catalog.ToolPrices);

        var t = await World.Runner(new QaToolServices(CodeRunner: sandbox)).RunAsync(QaWorld.Ask("Sum 1..100?"));

        t.Answer.Should().Be("5050");
        t.Turns[0].Observation.Should().Contain("Exit code 0").And.Contain("5050");
        // the default (training) shape: the code as the reference cuts it from the reply, no header before it
        t.Turns[1].Prompt[1].Content.Should().Be("Problem: Sum 1..100?\n\n```python\n\nprint(sum(range(1, 101)))\n\n```\n\n```output\n5050\n\n```\n\n\n\nChoose an approriate tool.");
        Server.Requests.Single(r => r.Model == QaWorld.Big).LastUserText.Should().Contain("```output\n5050\n\n```");
        var code = t.Ledger.Single(e => e.Kind == CallKind.Code);
        code.CostUsd.Should().Be(decimal.Round((decimal)code.LatencySeconds * 0.0000083m, 12));
        code.Alias.Should().Be("reasoner-2");
    }
}
