using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Tools.Tests.Mcp;

/// <summary>
/// Against the real reference MCP server, <c>npx -y @modelcontextprotocol/server-everything</c> over stdio.
/// The first start may download the package from npm (about 10 s here), hence the generous start timeout.
/// </summary>
public sealed class McpToolSourceTests : IClassFixture<McpToolSourceTests.Everything>
{
    public const string EverythingServer = "npx -y @modelcontextprotocol/server-everything";

    public sealed class Everything : IAsyncLifetime
    {
        public McpToolSource Source { get; private set; } = null!;

        public async Task InitializeAsync() =>
            Source = await McpToolSource.ConnectAsync(
                McpServerSpec.Stdio(EverythingServer) with { StartTimeout = TimeSpan.FromMinutes(4), CallTimeout = TimeSpan.FromSeconds(20) },
                new ToolPrices(PerTool: new Dictionary<string, decimal> { ["get-sum"] = 0.25m }));

        public async Task DisposeAsync() => await Source.DisposeAsync();
    }

    private readonly McpToolSource _source;

    public McpToolSourceTests(Everything everything) => _source = everything.Source;

    [Fact]
    public void Imports_every_tool_as_an_AIFunction_with_its_schema_and_price()
    {
        _source.ServerName.Should().Contain("everything");
        _source.Tools.Select(t => t.Name).Should().Contain(["echo", "get-sum"]);
        var sum = _source.Tools.Single(t => t.Name == "get-sum");
        sum.Function.Should().BeAssignableTo<AIFunction>();
        sum.InputSchema.GetProperty("properties").GetProperty("a").GetProperty("type").GetString().Should().Be("number");
        sum.Description.Should().NotBeNullOrWhiteSpace();
        sum.PricePerCallUsd.Should().Be(0.25m);
        _source.Tools.Single(t => t.Name == "echo").PricePerCallUsd.Should().Be(0m);
    }

    [Fact]
    public async Task Calls_a_tool_and_reports_text_seconds_and_dollars()
    {
        var echo = await _source.CallAsync("echo", new Dictionary<string, object?> { ["message"] = "hello orchestra" }, CancellationToken.None);
        var sum = await _source.CallAsync("get-sum", new Dictionary<string, object?> { ["a"] = 19, ["b"] = 23 }, CancellationToken.None);

        echo.IsError.Should().BeFalse();
        echo.Text.Should().Contain("hello orchestra");
        echo.Seconds.Should().BePositive();
        sum.Text.Should().Contain("42");
        sum.CostUsd.Should().Be(0.25m);
    }

    [Fact]
    public async Task The_AIFunction_itself_invokes_the_server()
    {
        var echo = _source.Tools.Single(t => t.Name == "echo").Function;

        var result = await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "via AIFunction" });

        JsonSerializer.Serialize(result).Should().Contain("via AIFunction");
    }

    [Fact]
    public async Task Failures_are_error_results_not_exceptions()
    {
        var unknown = await _source.CallAsync("no-such-tool", null, CancellationToken.None);
        var badArguments = await _source.CallAsync("get-sum", new Dictionary<string, object?> { ["a"] = "not a number" }, CancellationToken.None);

        unknown.IsError.Should().BeTrue();
        unknown.Text.Should().Contain("no-such-tool").And.Contain("echo");
        badArguments.IsError.Should().BeTrue();
        badArguments.Text.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task A_command_that_is_not_an_MCP_server_is_a_user_error()
    {
        var act = () => McpToolSource.ConnectAsync(McpServerSpec.Stdio("sh -c 'echo not mcp >&2; exit 3'") with { StartTimeout = TimeSpan.FromSeconds(20) });

        (await act.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("could not be used").And.Contain("not mcp");
    }

    [Theory]
    [InlineData("npx -y pkg", new[] { "npx", "-y", "pkg" })]
    [InlineData("  python3 'my server.py'  --flag \"a \\\"b\\\"\" ", new[] { "python3", "my server.py", "--flag", "a \"b\"" })]
    [InlineData("cmd ''", new[] { "cmd", "" })]
    public void Command_lines_split_like_a_shell(string line, string[] words)
    {
        var spec = McpServerSpec.Stdio(line);

        new[] { spec.Command! }.Concat(spec.Arguments).Should().Equal(words);
    }
}
