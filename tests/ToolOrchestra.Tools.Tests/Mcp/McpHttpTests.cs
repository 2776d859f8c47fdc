using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Tools.Tests.Mcp;

public sealed class McpHttpTests
{
    [Fact]
    public async Task Imports_and_calls_the_tools_of_an_HTTP_server()
    {
        await using var server = await LoopbackMcpHttpServer.StartAsync();
        await using var source = await McpToolSource.ConnectAsync(
            McpServerSpec.Http(server.Endpoint.ToString()) with { StartTimeout = TimeSpan.FromSeconds(30) },
            new ToolPrices(PerTool: new Dictionary<string, decimal> { ["multiply"] = 0.001m }));

        var multiply = source.Tools.Should().ContainSingle().Which;
        multiply.Name.Should().Be("multiply");
        multiply.InputSchema.GetProperty("properties").TryGetProperty("a", out _).Should().BeTrue();
        var call = await source.CallAsync("multiply", new Dictionary<string, object?> { ["a"] = 6, ["b"] = 7 }, CancellationToken.None);

        call.IsError.Should().BeFalse(call.Text);
        call.Text.Should().Be("42");
        call.CostUsd.Should().Be(0.001m);
    }

    [Fact]
    public async Task An_unreachable_HTTP_server_is_a_user_error()
    {
        var act = () => McpToolSource.ConnectAsync(McpServerSpec.Http("http://127.0.0.1:9/mcp") with { StartTimeout = TimeSpan.FromSeconds(10) });

        (await act.Should().ThrowAsync<ToolOrchestra.Core.UserError>()).Which.Message.Should().Contain("127.0.0.1:9");
    }
}
