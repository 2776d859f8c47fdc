namespace ToolOrchestra.Core.Accounting;

/// <summary>
/// Every call's tokens, dollars and seconds for one trajectory. Thread-safe: experts and tools may record
/// from parallel tasks. Totals are derived, never stored, so they cannot drift from the entries.
/// <paramref name="recorded"/> hears every entry as it is recorded (progress events, telemetry).
/// </summary>
public sealed class Ledger(Action<LedgerEntry>? recorded = null)
{
    private readonly List<LedgerEntry> _entries = [];
    private readonly Lock _gate = new();

    public void Record(LedgerEntry entry)
    {
        lock (_gate) _entries.Add(entry);
        recorded?.Invoke(entry);
    }

    public IReadOnlyList<LedgerEntry> Entries
    {
        get { lock (_gate) return _entries.ToArray(); }
    }

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>The entries recorded from position <paramref name="start"/> on (e.g. one turn's).</summary>
    public IReadOnlyList<LedgerEntry> EntriesSince(int start)
    {
        lock (_gate) return start >= _entries.Count ? [] : _entries.GetRange(start, _entries.Count - start).ToArray();
    }

    public decimal CostUsd
    {
        get { lock (_gate) { var sum = 0m; foreach (var e in _entries) sum += e.CostUsd; return sum; } }
    }

    /// <summary>The paper's latency: seconds spent in tool calls (experts, code, retrieval), orchestrator generation excluded.</summary>
    public double ToolLatencySeconds
    {
        get { lock (_gate) { var sum = 0.0; foreach (var e in _entries) if (e.Kind != CallKind.Orchestrator) sum += e.LatencySeconds; return sum; } }
    }

    public long InputTokens
    {
        get { lock (_gate) { long sum = 0; foreach (var e in _entries) sum += e.InputTokens; return sum; } }
    }

    public long OutputTokens
    {
        get { lock (_gate) { long sum = 0; foreach (var e in _entries) sum += e.OutputTokens; return sum; } }
    }

    /// <summary>Calls per alias, counting each turn's first call only (reference §5.2 feature m_a).</summary>
    public IReadOnlyDictionary<string, int> FirstCallsPerAlias()
    {
        lock (_gate)
            return _entries.Where(e => e.Kind != CallKind.Orchestrator && e.Alias is not null)
                .GroupBy(e => e.Turn).Select(g => g.First().Alias!)
                .GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
    }
}
