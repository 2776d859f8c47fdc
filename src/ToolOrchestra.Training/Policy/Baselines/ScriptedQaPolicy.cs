using System.Text.Json;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Training.Policy.Baselines;

/// <summary>
/// A fixed pipeline: turn k makes the k-th call of the script (the last one repeats), e.g. "search-1 then answer-1".
/// An alias the hard constraints leave out is replaced by the first offered alias of the same tool. A baseline, not
/// a learner; it costs nothing itself.
/// </summary>
public sealed class ScriptedQaPolicy : IQaPolicy
{
    private readonly IReadOnlyList<string> _aliases;

    /// <param name="aliases">The aliases to call in order, e.g. <c>["search-1", "answer-1"]</c>; each alias names its tool.</param>
    public ScriptedQaPolicy(string name, params string[] aliases)
    {
        if (aliases.Length == 0) throw new ArgumentException("a script needs at least one call.", nameof(aliases));
        foreach (var a in aliases)
            if (QaActionSet.ToolOf(a) is null) throw new ArgumentException($"'{a}' is not a search-*, reasoner-* or answer-* alias.", nameof(aliases));
        Name = name;
        _aliases = aliases;
    }

    public string Name { get; }

    public Task<PolicyDecision> DecideAsync(QaObservation observation, Ledger ledger, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var wanted = _aliases[Math.Min(observation.Turn, _aliases.Count) - 1];
        var tool = QaTools.Parse(QaActionSet.ToolOf(wanted)!)!.Value;
        var action = observation.Toolset.Find(tool, wanted)
            ?? observation.Toolset.Actions.FirstOrDefault(a => a.Tool == tool)
            ?? observation.Toolset.Actions.First(a => a.Tool == QaTool.Answer);
        return Task.FromResult(Call(action));
    }

    internal static PolicyDecision Call(QaAction action)
    {
        var arguments = JsonSerializer.Serialize(new Dictionary<string, string> { ["model"] = action.Alias });
        var raw = $"<tool_call>\n{{\"name\": \"{action.Tool.Name()}\", \"arguments\": {arguments}}}\n</tool_call>";
        return new PolicyDecision(raw, null, "", [new PolicyCall(action.Tool.Name(), arguments)]);
    }
}
