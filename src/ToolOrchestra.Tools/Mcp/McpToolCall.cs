namespace ToolOrchestra.Tools.Mcp;

/// <summary>
/// What one MCP tool call returned, ready for the ledger: the text the model sees (text blocks joined, other
/// blocks described), whether the server or the transport reported an error, seconds and dollars.
/// </summary>
public sealed record McpToolCall(string Tool, string Text, bool IsError, double Seconds, decimal CostUsd);
