using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>An alias the orchestrator may choose for a tool, with what the tool description tells about it.</summary>
public sealed record QaAction(QaTool Tool, string Alias, ModelEntry Model, double LatencySeconds, string Blurb);

/// <summary>
/// The tools offered to the orchestrator: <c>search</c>, <c>enhance_reasoning</c>, <c>answer</c>, each with one
/// required <c>model</c> parameter whose description lists the allowed aliases with their prices and latencies.
/// Aliases the preferences' hard constraints forbid are left out here, and refused again at execution.
/// Built once per run; the declarations are reused every turn.
/// </summary>
public sealed class QaToolset
{
    public IReadOnlyList<QaAction> Actions { get; }
    public IReadOnlyList<AIFunctionDeclaration> Declarations { get; }

    public QaToolset(Catalog catalog, Preferences preferences)
    {
        Actions = catalog.Aliases.Values
            .OrderBy(a => a.Alias, StringComparer.Ordinal)
            .SelectMany(a => QaTools.All.Where(t => t.Accepts(a.Alias)).Select(t => (Tool: t, Alias: a)))
            .Where(x => preferences.Allows(x.Alias.Alias, catalog, out _))
            .Select(x =>
            {
                var defaults = QaAliasDefaults.ByAlias.TryGetValue(x.Alias.Alias, out var d) ? d : ("", 0);
                return new QaAction(x.Tool, x.Alias.Alias, catalog.Models[x.Alias.Model],
                    x.Alias.LatencySeconds ?? defaults.Item2, x.Alias.Description ?? defaults.Item1);
            })
            .ToList();
        if (!Actions.Any(a => a.Tool == QaTool.Answer))
            throw new UserError($"{catalog.SourcePath ?? "catalog"}: no alias is left for the answer tool (answer-1, answer-math-1, …)"
                + (preferences.OnlyTags.Count + preferences.ExcludeAliases.Count > 0 ? " once the preferences' hard constraints are applied" : "")
                + ". Map at least one answer-* alias to an allowed model.");
        Declarations = QaTools.All
            .Where(t => Actions.Any(a => a.Tool == t))
            .Select(t => AIFunctionFactory.CreateDeclaration(t.Name(), t.Description(), Schema(t)))
            .ToList();
    }

    public QaAction? Find(QaTool tool, string alias) => Actions.FirstOrDefault(a => a.Tool == tool && a.Alias == alias);

    public IEnumerable<string> AliasesFor(QaTool tool) => Actions.Where(a => a.Tool == tool).Select(a => a.Alias);

    private JsonElement Schema(QaTool tool)
    {
        var schema = new Dictionary<string, object>
        {
            ["properties"] = new Dictionary<string, object>
            {
                ["model"] = new Dictionary<string, string> { ["description"] = ModelDescription(tool), ["type"] = "string" },
            },
            ["required"] = new[] { "model" },
            ["title"] = "parameters",
            ["type"] = "object",
        };
        return JsonSerializer.SerializeToElement(schema);
    }

    private string ModelDescription(QaTool tool)
    {
        var actions = Actions.Where(a => a.Tool == tool).ToList();
        var sb = new StringBuilder(tool.ModelParameterLead());
        sb.Append(" Choices: [").Append(string.Join(", ", actions.Select(a => $"'{a.Alias}'"))).Append("].");
        foreach (var a in actions.Where(a => a.Blurb.Length > 0))
            sb.Append(' ').Append(a.Alias).Append(": ").Append(a.Blurb).Append('.');
        sb.Append("\n| model | price per million input tokens | price per million output tokens | average latency |\n|---|---|---|---|");
        foreach (var a in actions)
            sb.Append("\n| ").Append(a.Alias)
              .Append(" | $").Append(Money(a.Model.Price.InputPerMillion))
              .Append(" | $").Append(Money(a.Model.Price.OutputPerMillion))
              .Append(" | ").Append(a.LatencySeconds.ToString("0.#", CultureInfo.InvariantCulture)).Append("s |");
        return sb.ToString();
    }

    private static string Money(decimal d) => d.ToString("0.####", CultureInfo.InvariantCulture);
}
