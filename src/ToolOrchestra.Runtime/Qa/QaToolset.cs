using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Qa.Tools;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>An alias the orchestrator may choose for a QA tool, with what the tool description tells about it.</summary>
public sealed record QaAction(QaTool Tool, string Alias, ModelEntry Model, double LatencySeconds, string Blurb);

/// <summary>
/// What the orchestrator is offered under one set of preferences: each tool's declaration (the QA tools list only the
/// aliases the hard constraints allow; see <see cref="EpisodeCore.Offer"/>) and, for policies that score per tool and
/// alias, the QA tools' actions. Built once per catalog and preferences; the declarations are reused every turn.
/// </summary>
public sealed class QaToolset
{
    private readonly Dictionary<string, IOrchestratorTool> _byName;
    private readonly Dictionary<string, IReadOnlyList<string>> _aliases;

    public IReadOnlyList<QaAction> Actions { get; }
    public IReadOnlyList<AIFunctionDeclaration> Declarations { get; }
    public IReadOnlyList<IOrchestratorTool> Tools { get; }

    /// <summary>The QA protocol's three tools with nothing behind search and code (declarations, tests).</summary>
    public QaToolset(Catalog catalog, Preferences preferences) : this(catalog, preferences, QaToolServices.None.BuiltInTools()) { }

    public QaToolset(Catalog catalog, Preferences preferences, IEnumerable<IOrchestratorTool> tools)
    {
        var offered = new List<(IOrchestratorTool Tool, ToolOffer Offer, AIFunctionDeclaration Declaration)>();
        foreach (var tool in tools)
        {
            var offer = EpisodeCore.Offer(tool, catalog, preferences);
            if (tool.AliasArgument is not null && offer.Aliases.Count == 0) continue;
            if (tool.Declare(offer) is { } declaration) offered.Add((tool, offer, declaration));
        }
        if (offered.GroupBy(o => o.Tool.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UserError($"two tools are named '{twice.Key}'; tool names must be unique (rename or leave one out).");
        Tools = offered.Select(o => o.Tool).ToList();
        Declarations = offered.Select(o => o.Declaration).ToList();
        _byName = Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _aliases = offered.ToDictionary(o => o.Tool.Name, o => (IReadOnlyList<string>)o.Offer.Aliases.Select(a => a.Alias).ToList(), StringComparer.Ordinal);
        Actions = offered.Where(o => o.Tool is QaExpertTool)
            .SelectMany(o => o.Offer.Aliases.Select(a => QaExpertTool.Action(((QaExpertTool)o.Tool).Kind, a, catalog)))
            .OrderBy(a => a.Alias, StringComparer.Ordinal)
            .ToList();
        if (!Actions.Any(a => a.Tool == QaTool.Answer))
            throw new UserError($"{catalog.SourcePath ?? "catalog"}: no alias is left for the answer tool (answer-1, answer-math-1, …)"
                + (preferences.OnlyTags.Count + preferences.ExcludeAliases.Count > 0 ? " once the preferences' hard constraints are applied" : "")
                + ". Map at least one answer-* alias to an allowed model.");
    }

    public IOrchestratorTool? FindTool(string name) => _byName.GetValueOrDefault(name);

    public QaAction? Find(QaTool tool, string alias) => Actions.FirstOrDefault(a => a.Tool == tool && a.Alias == alias);

    public IEnumerable<string> AliasesFor(QaTool tool) => Actions.Where(a => a.Tool == tool).Select(a => a.Alias);

    public IReadOnlyList<string> AliasesFor(string toolName) => _aliases.GetValueOrDefault(toolName) ?? [];
}
