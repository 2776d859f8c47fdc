using System.Text.Json.Nodes;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// Folds a run's samples, streamed one at a time, into Table 1's row, the turn-limit sweep, the call shares and the
/// per-sample verdicts a side-by-side comparison needs, in one pass and without keeping the samples.
/// </summary>
internal sealed class RunAggregator(EvalRunInfo run, IReadOnlyList<int> turnLimits)
{
    private int _samples, _errors, _correct, _notEvaluated;
    private decimal _dollars, _judgeDollars;
    private double _toolSeconds, _wallSeconds, _turns;
    private long _toolCalls, _orchestratorCalls, _steps;
    private int _longest;
    private bool _simulated = run.Benchmark == "offline";
    private readonly HashSet<string> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _errorKinds = new(StringComparer.Ordinal);
    private readonly OrderedCounts _tools = new(), _aliases = new(), _models = new(), _executions = new();
    private readonly Dictionary<string, long> _stepsWithModel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (decimal Dollars, long Tokens)> _modelPrices = new(StringComparer.Ordinal);
    private readonly int[] _correctWithin = new int[turnLimits.Count];
    private readonly decimal[] _dollarsWithin = new decimal[turnLimits.Count];
    private readonly double[] _secondsWithin = new double[turnLimits.Count];
    private readonly HashSet<string> _modelsThisTurn = new(StringComparer.Ordinal);

    public EvalRunInfo Run => run;

    /// <summary>Each sample's verdict (null when it failed), by sample id, for comparisons against a baseline.</summary>
    public Dictionary<string, bool?> Verdicts { get; } = new(StringComparer.Ordinal);

    public void Add(EvalSample s, bool keepVerdict)
    {
        _samples++;
        _tasks.Add(s.TaskId ?? s.SampleId);
        var failed = s.Status == SampleStatus.Failed;
        if (failed)
        {
            _errors++;
            var kind = ErrorKind(s.Error);
            _errorKinds[kind] = _errorKinds.GetValueOrDefault(kind) + 1;
        }
        var correct = !failed && s.Correct == true;
        if (correct) _correct++;
        if (s.IsNotEvaluated) _notEvaluated++;
        if (s.VerdictSource == "simulated") _simulated = true;
        if (keepVerdict) Verdicts[s.SampleId] = failed ? null : s.Correct;
        _dollars += s.CostUsd;
        _judgeDollars += s.JudgeCostUsd;
        _toolSeconds += s.ToolSeconds;
        _wallSeconds += s.WallSeconds;
        _turns += s.Turns;
        _longest = Math.Max(_longest, s.Turns);

        var calls = SampleCall.Parse(s.CallsJson, $"run '{s.RunId}' sample '{s.SampleId}'");
        for (var k = 0; k < turnLimits.Count; k++)
            if (correct && s.Turns <= turnLimits[k]) _correctWithin[k]++;
        var turn = int.MinValue;
        foreach (var c in calls)
        {
            for (var k = 0; k < turnLimits.Count; k++)
                if (c.Turn <= turnLimits[k])
                {
                    _dollarsWithin[k] += c.CostUsd;
                    _secondsWithin[k] += c.ToolSeconds;
                }
            if (c.Model is { } priced)
            {
                var (d, t) = _modelPrices.GetValueOrDefault(priced);
                _modelPrices[priced] = (d + c.CostUsd, t + c.InputTokens + c.OutputTokens);
            }
            if (c.IsOrchestrator) { _orchestratorCalls++; continue; }
            // A search or code run that an expert asked for is that call's execution, not a second call to its alias.
            if (c.Counted is { IsModelCall: false } execution) _executions.Add(execution.Name);
            else
            {
                _toolCalls++;
                _tools.Add(c.Tool ?? "(unnamed)");
                if (c.Alias is { } alias) _aliases.Add(alias);
                if (c.Model is { } model) _models.Add(model);
            }
            if (c.Turn != turn)
            {
                EndTurn();
                turn = c.Turn;
                _steps++;
            }
            if (c.Model is { } m) _modelsThisTurn.Add(m);
        }
        EndTurn();
    }

    private void EndTurn()
    {
        foreach (var m in _modelsThisTurn) _stepsWithModel[m] = _stepsWithModel.GetValueOrDefault(m) + 1;
        _modelsThisTurn.Clear();
    }

    public RunMetrics Summary()
    {
        var n = Math.Max(_samples, 1);
        return new RunMetrics(run.RunId, run.Benchmark, run.Setup, run.Orchestrator, run.Config, run.Protocol, _simulated,
            _samples, _tasks.Count, _errors, _correct, _notEvaluated, Accuracy(_correct),
            Round(_dollars / n), Round(_judgeDollars / n), _toolSeconds / n, _wallSeconds / n, _turns / n,
            _toolCalls / (double)n, _orchestratorCalls / (double)n,
            _aliases.Items.ToDictionary(i => i.Name, i => i.Count / (double)n),
            _models.Items.ToDictionary(i => i.Name, i => i.Count / (double)n),
            _executions.Items.ToDictionary(i => i.Name, i => i.Count / (double)n),
            new SortedDictionary<string, int>(_errorKinds, StringComparer.Ordinal));
    }

    /// <summary>Correct over the samples with a verdict: failed ones count as wrong, not evaluated ones are left out.</summary>
    private double Accuracy(int correct) => _samples - _notEvaluated is var judged and > 0 ? correct / (double)judged : 0;

    public TurnLimitSweep Sweep()
    {
        var n = Math.Max(_samples, 1);
        var runLimit = MaxTurnsSetting(run.SettingsJson);
        var points = turnLimits.Select((k, i) => new TurnLimitPoint(k, Accuracy(_correctWithin[i]),
            Round(_dollarsWithin[i] / n), _secondsWithin[i] / n, runLimit is { } limit && k > limit)).ToList();
        return new TurnLimitSweep(run.RunId, runLimit, _longest, points);
    }

    public CallShares Shares(string? strongestNamed)
    {
        var strongest = StrongestModel.Choose(strongestNamed, TryLoadCatalog(run.Config), _modelPrices);
        var strongSteps = strongest.Model is { } m ? _stepsWithModel.GetValueOrDefault(m) : 0;
        static IReadOnlyList<Share> ToShares(OrderedCounts counts, long total) =>
            counts.Items.Select(i => new Share(i.Name, i.Count, total == 0 ? 0 : i.Count / (double)total)).ToList();
        return new CallShares(run.RunId, _toolCalls, ToShares(_tools, _toolCalls), ToShares(_aliases, _toolCalls), ToShares(_models, _toolCalls),
            ToShares(_executions, _executions.Items.Sum(i => i.Count)),
            strongest.Model, strongest.How, _steps, strongSteps, _steps == 0 ? null : strongSteps / (double)_steps);
    }

    /// <summary>Alias call counts, for the share of calls that went to aliases a preference vector favours.</summary>
    public IReadOnlyList<(string Name, long Count)> AliasCounts => _aliases.Items;

    public long ToolCalls => _toolCalls;

    /// <summary>The run's catalog when its file is still where the run read it (or the offline world's built-in one); null otherwise (the report then says so).</summary>
    internal static Catalog? TryLoadCatalog(string path)
    {
        if (path == Harness.EvalRunner.BuiltInCatalog) return Environments.OfflineWorld.SimulatedCatalog.Create(); // only offline runs bring their own
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path)) return null;
        try { return CatalogLoader.Load(path); }
        catch (Exception e) when (e is Core.UserError or IOException or System.Text.Json.JsonException) { return null; }
    }

    /// <summary>The run's turn limit when its settings record one (<c>max_turns</c>).</summary>
    private static int? MaxTurnsSetting(string settings)
    {
        try
        {
            return JsonNode.Parse(settings) is JsonObject o && o["max_turns"] is JsonValue v && v.TryGetValue<int>(out var turns) ? turns : null;
        }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>The first words of an error, so "endpoint_error: 503 …" and "endpoint_error: timeout" group together.</summary>
    private static string ErrorKind(string? error)
    {
        if (string.IsNullOrWhiteSpace(error)) return "unknown";
        var end = error.IndexOfAny([':', '\n', '(']);
        var head = (end > 0 ? error[..end] : error).Trim();
        return head.Length > 60 ? head[..60] : head;
    }

    /// <summary>Per-task dollars to 10 decimal places: exact enough, and stable in text.</summary>
    private static decimal Round(decimal d) => Math.Round(d, 10);

    /// <summary>Counts by name, remembering the order in which names first appeared.</summary>
    private sealed class OrderedCounts
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<(string Name, long Count)> _items = [];

        public IReadOnlyList<(string Name, long Count)> Items => _items;

        public void Add(string name)
        {
            if (_index.TryGetValue(name, out var i)) _items[i] = (name, _items[i].Count + 1);
            else
            {
                _index[name] = _items.Count;
                _items.Add((name, 1));
            }
        }
    }
}
