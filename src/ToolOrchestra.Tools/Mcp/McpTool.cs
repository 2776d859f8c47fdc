using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ToolOrchestra.Tools.Mcp;

/// <summary>
/// One tool imported from an MCP server: an <see cref="AIFunction"/> a function-calling model can be offered
/// (name, description, JSON schema) and its price per call from the catalog's <c>tool_prices.per_tool</c>.
/// </summary>
public sealed record McpTool(AIFunction Function, decimal PricePerCallUsd, string Server)
{
    public string Name => Function.Name;

    public string Description => Function.Description;

    public JsonElement InputSchema => Function.JsonSchema;
}
