using System.Collections.Concurrent;
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
/// The tau2 domains this build can run, found by name, as upstream's <c>register_domain</c>: each domain registers its
/// definition (in its own folder); <see cref="Register"/> adds more (synthesized or declarative domains).
/// </summary>
public static class Tau2DomainRegistry
{
    private static readonly ConcurrentDictionary<string, Tau2DomainDefinition> Domains = new(
        new[] { Airline.AirlineDomain.Definition, Retail.RetailDomain.Definition, Telecom.TelecomDomain.Definition, Mock.MockDomain.Definition }
            .ToDictionary(d => d.Name, StringComparer.Ordinal), StringComparer.Ordinal);

    public static IReadOnlyList<string> Names => [.. Domains.Keys.Order(StringComparer.Ordinal)];

    public static void Register(Tau2DomainDefinition definition)
    {
        if (!Domains.TryAdd(definition.Name, definition))
            throw new UserError($"a tau2 domain named '{definition.Name}' is already registered; give the new one another name.");
    }

    /// <summary>Adds a definition unless its name is taken (concurrent discovery of the same declarative domain).</summary>
    public static bool TryRegister(Tau2DomainDefinition definition) => Domains.TryAdd(definition.Name, definition);

    public static Tau2DomainDefinition Get(string name) => Domains.TryGetValue(name, out var d) ? d
        : throw new UserError($"unknown tau2 domain '{name}'; expected one of {string.Join(", ", Names)}.");
}
