using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ToolOrchestra.Tools.Mcp;

/// <summary>
/// An MCP server's tool offered to the orchestrator as-is (its name, description and input schema), priced per call by
/// the catalog's <c>tool_prices.per_tool</c>. Server and transport failures are observations, never exceptions.
/// </summary>
public sealed class McpOrchestratorTool(McpToolSource source, McpTool tool) : IOrchestratorTool
{
    public string Name => tool.Name;

    public AIFunctionDeclaration? Declare(ToolOffer offer) =>
        AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.InputSchema);

    public async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        var arguments = invocation.Arguments.ValueKind == JsonValueKind.Object
            ? invocation.Arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
            : new Dictionary<string, object?>();
        using var hold = await invocation.Context.Ledger.HoldAsync(tool.PricePerCallUsd, ct).ConfigureAwait(false);
        var call = await source.CallAsync(tool.Name, arguments, ct).ConfigureAwait(false);
        invocation.Context.Ledger.Record(ToolLedger.Mcp(invocation.Context.Turn, call));
        return new ToolOutput(call.Text, call.IsError);
    }

    /// <summary>Every tool of a connected server, ready to register.</summary>
    public static IReadOnlyList<IOrchestratorTool> All(McpToolSource source) =>
        source.Tools.Select(t => (IOrchestratorTool)new McpOrchestratorTool(source, t)).ToList();
}
