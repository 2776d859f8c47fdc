using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>A real MCP server's tool inside an episode: <c>npx -y @modelcontextprotocol/server-everything</c> over stdio.</summary>
public sealed class McpToolsTests : EngineTest
{
    public const string EverythingServer = "npx -y @modelcontextprotocol/server-everything";

    [Fact]
    public async Task The_orchestrator_calls_an_mcp_servers_tool_priced_by_tool_prices_per_tool()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("echo", new { message = "hello from the orchestrator" }), FakeReply.Call("answer", new { model = "answer-2" }));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{done}"));
        await using var sp = Engine(o => o.McpServers.Add(EverythingServer));

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Say hello through echo."));

        Server.Requests.First(r => r.Model == QaWorld.Orchestrator).ToolNames.Should().Contain("echo").And.Contain("answer");
        result.Trajectory.Turns[0].Call!.Name.Should().Be("echo");
        result.Trajectory.Turns[0].Observation.Should().Contain("hello from the orchestrator");
        result.Calls.Should().ContainSingle(c => c.Tool == "echo").Which.CostUsd.Should().Be(0.002m);
        result.Answer.Should().Be("done");
    }
}
