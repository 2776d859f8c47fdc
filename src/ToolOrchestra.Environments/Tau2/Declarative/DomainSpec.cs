using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Declarative;

/// <summary>A foreign key: <see cref="Field"/> of a record names a key of <see cref="Collection"/>.</summary>
public sealed record RelationSpec(string Field, string Collection);

/// <summary>
/// One collection of the database (<c>db.json</c>'s top-level dict of records keyed by <see cref="Key"/>), the JSON
/// Schema of its records, and its relations to other collections.
/// </summary>
public sealed record EntitySpec(string Collection, string Key, string Title, string Description, JsonObject Schema, IReadOnlyList<RelationSpec> Relations)
{
    /// <summary>The pydantic-like model of one record (normalises db.json and created records).</summary>
    public Model RecordModel { get; } = JsonSchemaShapes.ModelOf(char.ToUpperInvariant(Title[0]) + Title[1..], Schema);

    public IEnumerable<string> FieldNames => ((JsonObject?)Schema["properties"] ?? []).Select(p => p.Key);
}

/// <summary>The read/write kind of a tool, as tau2's ToolType (write tools are replayed by the evaluator).</summary>
public enum ToolKind { Read, Write }

/// <summary>A tool as data: its name, description, kind, parameters (JSON Schema) and the operation it runs.</summary>
public sealed record ToolSpec(string Name, string Description, ToolKind Kind, JsonObject Parameters, IReadOnlyList<OperationStep> Steps, string? Returns)
{
    public IReadOnlyList<string> ParameterNames => ((JsonObject?)Parameters["properties"] ?? []).Select(p => p.Key).ToList();
    public IReadOnlyList<string> RequiredParameters => (Parameters["required"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
}

/// <summary>
/// A declarative tau2 domain (<c>domain.json</c>): entities and tools, all data. The tau2 engine runs it through
/// <see cref="OperationInterpreter"/>; nothing in it is code. <see cref="Parse"/> checks every reference (collections,
/// fields, parameters, earlier steps) and names the JSON path of the first problem, so an LLM stage can be retried with it.
/// </summary>
public sealed partial record DomainSpec(string Name, string Description, IReadOnlyList<EntitySpec> Entities, IReadOnlyList<ToolSpec> Tools)
{
    public const string FileName = "domain.json";
    public const string Format = "toolorchestra.tau2-domain/1";

    public EntitySpec Entity(string collection) => Entities.First(e => e.Collection == collection);

    /// <summary>The database model: one dict of records per collection, in declaration order.</summary>
    public Model DbModel() =>
        new(char.ToUpperInvariant(Name[0]) + Name[1..] + "DB", Entities.Select(e => Field.Required(e.Collection, Shape.DictOf(e.RecordModel))).ToList());

    public static DomainSpec ReadFile(string file) => Parse(JsonReader.ParseFile(file), file);

    public static DomainSpec Parse(JsonNode? root, string file)
    {
        var r = new JsonReader(file, "$", root);
        if (r.OptionalString("format") is { } format && format != Format)
            throw r.Required("format").Error($"expected \"{Format}\".");
        var name = Identifier(r.Required("name"));
        var entities = r.Required("entities").Items().Select(ReadEntity).ToList();
        if (entities.Count == 0) throw r.Required("entities").Error("a domain needs at least one entity.");
        Unique(r.Required("entities"), entities.Select(e => e.Collection), "collection");
        var byName = entities.ToDictionary(e => e.Collection, StringComparer.Ordinal);
        var er = r.Required("entities").Items().ToList();
        for (var i = 0; i < entities.Count; i++)
            for (var j = 0; j < entities[i].Relations.Count; j++)
            {
                var rel = entities[i].Relations[j];
                var at = er[i].Required("relations").Items().ElementAt(j);
                if (!byName.ContainsKey(rel.Collection)) throw at.Error($"collection '{rel.Collection}' is not an entity of the domain.");
                if (!entities[i].FieldNames.Contains(rel.Field)) throw at.Error($"field '{rel.Field}' is not a property of {entities[i].Collection}.");
            }
        var tools = r.Required("tools").Items().Select(t => ReadTool(t, byName)).ToList();
        Unique(r.Required("tools"), tools.Select(t => t.Name), "tool name");
        if (tools.Any(t => t.Name == TransferTool)) throw r.Required("tools").Error($"'{TransferTool}' is added to every domain; do not declare it.");
        return new DomainSpec(name, r.OptionalString("description") ?? "", entities, tools);
    }

    /// <summary>Every declarative domain also has tau2's generic hand-over tool.</summary>
    public const string TransferTool = "transfer_to_human_agents";

    private static EntitySpec ReadEntity(JsonReader r)
    {
        var collection = Identifier(r.Required("collection"));
        var key = r.Required("key").String();
        var schema = r.Required("schema");
        var s = JsonSchemaShapes.CheckObjectSchema(schema);
        if (!s.ContainsKey(key)) throw r.Required("key").Error($"key field '{key}' is not a property of the schema.");
        var relations = r.Optional("relations")?.Items()
            .Select(x => new RelationSpec(x.Required("field").String(), x.Required("collection").String())).ToList() ?? [];
        var title = r.OptionalString("title") ?? collection;
        return new EntitySpec(collection, key, title, r.OptionalString("description") ?? "", (JsonObject)schema.Object().DeepClone(), relations);
    }

    private static ToolSpec ReadTool(JsonReader r, IReadOnlyDictionary<string, EntitySpec> entities)
    {
        var name = Identifier(r.Required("name"));
        var kind = r.Required("kind").String() switch
        {
            "read" => ToolKind.Read,
            "write" => ToolKind.Write,
            _ => throw r.Required("kind").Error("expected \"read\" or \"write\"."),
        };
        var parameters = r.Optional("parameters") is { } p ? (JsonObject)p.Object().DeepClone() : new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        var paramProps = r.Optional("parameters") is { } pr ? JsonSchemaShapes.CheckObjectSchema(pr) : [];
        var scope = new StepScope(entities, paramProps.Select(p => p.Key).ToHashSet(StringComparer.Ordinal));
        var stepsReader = r.Required("operation");
        var steps = new List<OperationStep>();
        foreach (var s in stepsReader.Node is JsonArray ? stepsReader.Items() : [stepsReader])
        {
            var step = OperationStep.Read(s, scope);
            steps.Add(step);
            if (step.As is { } alias) scope.Steps[alias] = step;
        }
        if (steps.Count == 0) throw stepsReader.Error("an operation needs at least one step.");
        var writes = steps.Any(s => s.Op is StepOp.Create or StepOp.Update or StepOp.Delete);
        if (writes != (kind == ToolKind.Write))
            throw r.Required("kind").Error(writes ? "the operation changes the database, so the tool must be \"write\"." : "the operation only reads, so the tool must be \"read\".");
        var returns = r.OptionalString("returns");
        if (returns is not null && !scope.Steps.ContainsKey(returns)) throw r.Required("returns").Error($"no step is named '{returns}' (\"as\").");
        return new ToolSpec(name, r.Required("description").String(), kind, parameters, steps, returns);
    }

    private static string Identifier(JsonReader r)
    {
        var s = r.String();
        return IdentifierPattern().IsMatch(s) ? s : throw r.Error($"'{s}' is not a valid name; use lower-case letters, digits and underscores, starting with a letter.");
    }

    private static void Unique(JsonReader r, IEnumerable<string> names, string what)
    {
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw r.Error($"{what} '{dup.Key}' appears {dup.Count()} times; names must be unique.");
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex IdentifierPattern();
}

/// <summary>What a step may refer to while a tool is parsed: collections, the tool's parameters, earlier named steps.</summary>
public sealed class StepScope(IReadOnlyDictionary<string, EntitySpec> entities, IReadOnlySet<string> parameters)
{
    public IReadOnlyDictionary<string, EntitySpec> Entities => entities;
    public IReadOnlySet<string> Parameters => parameters;
    public Dictionary<string, OperationStep> Steps { get; } = new(StringComparer.Ordinal);
}
