using System.Collections.Frozen;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>How one domain is built from its folder: its policy, databases and environment factory.</summary>
public sealed record Tau2DomainDefinition(string Name, Func<Tau2DomainFiles, Tau2Domain> Load);

/// <summary>A domain folder's files as a definition reads them; every error names the file and the domain.</summary>
public sealed class Tau2DomainFiles(string name, string folder)
{
    public string Name => name;
    public string Folder => folder;

    public string Read(string file)
    {
        var path = Path.Combine(folder, file);
        return File.Exists(path) ? File.ReadAllText(path) : throw new UserError($"{path}: file not found. The {name} domain needs it.");
    }

    public DbSnapshot Json(string file, Model schema) =>
        Tau2Domain.Snapshot(Path.Combine(folder, file), schema, Data.JsonReader.ParseFile(Path.Combine(folder, file)));

    public DbSnapshot Toml(string file, Model schema) =>
        Tau2Domain.Snapshot(Path.Combine(folder, file), schema, Data.TomlFile.Read(Path.Combine(folder, file)));

    /// <summary>The loaded domain: policy, databases, and how to make a fresh environment over them.</summary>
    public Tau2Domain Domain(string policy, DbSnapshot agentDb, DbSnapshot? userDb, Func<Tau2Domain, Tau2Environment> environment) =>
        new(name, folder, policy, agentDb, userDb, environment);
}

/// <summary>
/// The tau2 domains this build can run, found by name, as upstream's <c>register_domain</c>: an immutable table of
/// definitions (<see cref="BuiltIn"/>: the hand-written domains, each defined in its own folder; <see cref="With"/>
/// makes a registry with more) plus the declarative domains of a data folder (<c>domains/&lt;name&gt;/domain.json</c>),
/// looked up per folder. A lookup only reads: it registers nothing, so what one data folder holds never leaks into
/// another, and two lookups in one process cannot disagree.
/// </summary>
public sealed class Tau2DomainRegistry
{
    /// <summary>The hand-written domains: airline, retail, telecom and mock.</summary>
    public static Tau2DomainRegistry BuiltIn { get; } = new(
        new[] { Airline.AirlineDomain.Definition, Retail.RetailDomain.Definition, Telecom.TelecomDomain.Definition, Mock.MockDomain.Definition }
            .ToFrozenDictionary(d => d.Name, StringComparer.Ordinal));

    private readonly FrozenDictionary<string, Tau2DomainDefinition> _definitions;

    private Tau2DomainRegistry(FrozenDictionary<string, Tau2DomainDefinition> definitions) => _definitions = definitions;

    /// <summary>The names defined by this registry itself (without any data folder's declarative domains).</summary>
    public IReadOnlyList<string> Names => [.. _definitions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A registry with <paramref name="definition"/> added; a name already taken is a user's error.</summary>
    public Tau2DomainRegistry With(Tau2DomainDefinition definition) =>
        _definitions.ContainsKey(definition.Name)
            ? throw new UserError($"a tau2 domain named '{definition.Name}' is already registered; give the new one another name.")
            : new(_definitions.Append(new(definition.Name, definition)).ToFrozenDictionary(StringComparer.Ordinal));

    /// <summary>
    /// The definition of <paramref name="name"/> for the data folder <paramref name="tau2Root"/> (the folder holding
    /// <c>domains</c>): a registered one, else the folder's declarative domain by that name, else null.
    /// </summary>
    public Tau2DomainDefinition? Find(string tau2Root, string name) =>
        _definitions.TryGetValue(name, out var d) ? d
        : Declarative.DeclarativeDomain.IsIn(tau2Root, name) ? Declarative.DeclarativeDomain.Definition(name)
        : null;

    /// <summary>As <see cref="Find"/>, but an unknown name is a user's error listing what the folder offers.</summary>
    public Tau2DomainDefinition Get(string tau2Root, string name) => Find(tau2Root, name)
        ?? throw new UserError($"unknown tau2 domain '{name}'; expected one of {string.Join(", ", NamesIn(tau2Root))}.");

    /// <summary>Registered names and the declarative domains of <paramref name="tau2Root"/>, sorted.</summary>
    public IReadOnlyList<string> NamesIn(string tau2Root) =>
        [.. _definitions.Keys.Union(Declarative.DeclarativeDomain.NamesIn(tau2Root), StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
