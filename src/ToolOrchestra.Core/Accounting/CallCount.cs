namespace ToolOrchestra.Core.Accounting;

/// <summary>What a ledger entry counts as, and under which name (see <see cref="CallCount"/>).</summary>
public readonly record struct CountedCall(bool IsModelCall, string Name);

/// <summary>
/// The one definition of calls per alias, for the serve reply, the dashboard and the evaluation report. A model call
/// (an entry with a model: only <c>LedgerChatClient</c> books those) counts under its alias, the orchestrator's own
/// generations under <c>orchestrator</c>, an alias-less expert call under its tool. A tool execution (a retrieval, a code
/// run, an MCP tool: no model) counts apart under its tool's name, even when an expert's alias asked for it, so a search
/// turn is one model call to its search alias (the expert writing the query) plus one <c>search</c> execution, never two
/// calls to the alias.
/// </summary>
public static class CallCount
{
    public const string Orchestrator = "orchestrator";

    /// <summary>The rule over stored fields, for readers of stored ledgers (the eval store, the server store).</summary>
    public static CountedCall Of(bool orchestrator, string tool, string? alias, string? model) =>
        model is not null ? new(true, alias ?? (orchestrator ? Orchestrator : tool)) : new(false, tool);

    public static CountedCall Of(LedgerEntry e) => Of(e.Kind == CallKind.Orchestrator, e.Tool, e.Alias, e.Model);

    /// <summary>Model calls per name and tool executions per tool, each sorted by name.</summary>
    public static (SortedDictionary<string, int> ModelCalls, SortedDictionary<string, int> ToolExecutions) PerName(IEnumerable<LedgerEntry> entries)
    {
        var calls = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var executions = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var (isModelCall, name) = Of(e);
            var counts = isModelCall ? calls : executions;
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        return (calls, executions);
    }
}
