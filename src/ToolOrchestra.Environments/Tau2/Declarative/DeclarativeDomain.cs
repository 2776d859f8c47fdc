using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Declarative;

/// <summary>
/// The agent toolkit of a declarative domain: one function per <see cref="ToolSpec"/>, run by the
/// <see cref="OperationInterpreter"/>, plus tau2's <c>transfer_to_human_agents</c>. Arguments are validated against the
/// tool's parameter schema first (a wrong type is a pydantic-style tool error, never a crash).
/// </summary>
public sealed class DeclarativeToolkit : Toolkit
{
    public DeclarativeToolkit(DomainSpec spec, Database db) : base(ClassNameOf(spec), db, FunctionsOf(spec)) => Spec = spec;

    public DomainSpec Spec { get; }

    public static string ClassNameOf(DomainSpec spec) =>
        string.Concat(spec.Name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + "Tools";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DomainSpec, IReadOnlyList<ToolFunction>> Built = new();

    /// <summary>Built once per spec: every environment of the domain shares the function list.</summary>
    private static IReadOnlyList<ToolFunction> FunctionsOf(DomainSpec spec) => Built.GetValue(spec, s =>
    {
        var functions = new List<ToolFunction>();
        foreach (var tool in s.Tools)
        {
            var required = tool.RequiredParameters.ToHashSet(StringComparer.Ordinal);
            var properties = (JsonObject?)tool.Parameters["properties"] ?? [];
            var parameters = properties.Select(p =>
            {
                var parameter = new ToolParameter(p.Key, (JsonObject)p.Value!.DeepClone());
                return required.Contains(p.Key) ? parameter : parameter.Optional(null);
            }).ToList();
            var argsModel = JsonSchemaShapes.ModelOf(tool.Name, tool.Parameters);
            functions.Add(new ToolFunction
            {
                Name = tool.Name,
                IsTool = true,
                Type = tool.Kind == ToolKind.Write ? ToolType.Write : ToolType.Read,
                Description = tool.Description,
                Parameters = parameters,
                Body = (kit, args) =>
                {
                    var valid = ShapeValidator.Construct(argsModel, args.All);
                    return new OperationInterpreter(s, kit.Db!).Run(tool, valid);
                },
            });
        }
        functions.Add(new ToolFunction
        {
            Name = DomainSpec.TransferTool,
            IsTool = true,
            Type = ToolType.Generic,
            Description = Descriptions.TransferToHumanAgents,
            Parameters = [ToolParameter.Str("summary", "A summary of the user's issue.")],
            Body = (_, _) => "Transfer successful",
        });
        return functions;
    });
}

/// <summary>
/// Declarative domains, found by the tau2 registry per data folder: a data folder's <c>domains/&lt;name&gt;/domain.json</c> makes
/// <c>&lt;name&gt;</c> a domain that loads <c>domain.json</c>, <c>db.json</c> and <c>policy.md</c> from its folder, so
/// check-gold, tau2 run and rescore work on a synthesized data folder as on upstream's. Hand-written domains keep
/// their names.
/// </summary>
public static class DeclarativeDomain
{
    /// <summary>The registry entry for a declarative domain named <paramref name="name"/> (the spec is read per folder).</summary>
    public static Tau2DomainDefinition Definition(string name) => new(name, Load);

    /// <summary>Whether the data folder <paramref name="tau2Root"/> holds a declarative domain named <paramref name="name"/>.</summary>
    public static bool IsIn(string tau2Root, string name) =>
        name.Length > 0 && name.IndexOfAny(['/', '\\']) < 0 && name is not ("." or "..")
        && File.Exists(Path.Combine(tau2Root, "domains", name, DomainSpec.FileName));

    /// <summary>The declarative domains of the data folder <paramref name="tau2Root"/>: its folders holding a domain.json.</summary>
    public static IEnumerable<string> NamesIn(string tau2Root)
    {
        var domains = Path.Combine(tau2Root, "domains");
        return Directory.Exists(domains)
            ? Directory.EnumerateDirectories(domains).Where(d => File.Exists(Path.Combine(d, DomainSpec.FileName))).Select(Path.GetFileName).OfType<string>()
            : [];
    }

    public static Tau2Domain Load(Tau2DomainFiles files)
    {
        var file = Path.Combine(files.Folder, DomainSpec.FileName);
        if (!File.Exists(file)) throw new UserError($"{file}: file not found. A declarative domain needs its domain.json.");
        var spec = DomainSpec.ReadFile(file);
        if (spec.Name != files.Name)
            throw new UserError($"{file}: $.name is '{spec.Name}' but the folder is '{files.Name}'; rename one so they agree.");
        var db = files.Json("db.json", spec.DbModel());
        CheckKeys(spec, db, Path.Combine(files.Folder, "db.json"));
        return files.Domain(files.Read("policy.md"), db, null, Environment(spec));
    }

    /// <summary>A domain held in memory (the synthesizer's, before anything is written); errors name <paramref name="dbFile"/>.</summary>
    public static Tau2Domain Create(DomainSpec spec, JsonNode db, string policy, string folder, string dbFile = "db.json")
    {
        var snapshot = Tau2Domain.Snapshot(dbFile, spec.DbModel(), db);
        CheckKeys(spec, snapshot, dbFile);
        return new Tau2DomainFiles(spec.Name, folder).Domain(policy, snapshot, null, Environment(spec));
    }

    private static Func<Tau2Domain, Tau2Environment> Environment(DomainSpec spec) =>
        d => new Tau2Environment(spec.Name, d.Policy, new DeclarativeToolkit(spec, new Database(d.AgentDb)), null);

    /// <summary>Each record's key field equals its dict key, so get-by-key and find agree.</summary>
    private static void CheckKeys(DomainSpec spec, DbSnapshot db, string file)
    {
        foreach (var e in spec.Entities)
            foreach (var (key, record) in (JsonObject)db.Root[e.Collection]!)
                if (Json.Py.Str(record?[e.Key]) != key)
                    throw new UserError($"{file}: $.{e.Collection}.{key}.{e.Key} is {Json.Py.Repr(record?[e.Key])}; it must equal the record's key '{key}'.");
    }
}
