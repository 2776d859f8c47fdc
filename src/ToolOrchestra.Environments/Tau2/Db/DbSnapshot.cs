using System.Text.Json.Nodes;

namespace ToolOrchestra.Environments.Tau2.Db;

/// <summary>
/// A loaded, normalised database (the pydantic <c>model_dump()</c> of upstream's DB model). Immutable and shared by
/// every environment built from it: environments copy records on first write (<see cref="Database"/>), so a 7 MB
/// airline database is parsed once per process, not once per simulation.
/// </summary>
public sealed class DbSnapshot
{
    public DbSnapshot(Model schema, JsonObject root)
    {
        Schema = schema;
        Root = root;
        foreach (var field in schema.Fields)
            if (field.Shape is DictShape { Value: Model or UnionShape } dict)
                Tables[field.Name] = dict.Value;
    }

    public Model Schema { get; }

    /// <summary>The normalised root. Never mutate it.</summary>
    public JsonObject Root { get; }

    /// <summary>Top-level fields that are dicts of records: copied on write one record at a time.</summary>
    public Dictionary<string, Shape> Tables { get; } = new(StringComparer.Ordinal);

    /// <summary>Normalises raw JSON (db.json / db.toml content) with the schema; pydantic errors name the field.</summary>
    public static DbSnapshot Create(Model schema, JsonNode? raw) =>
        new(schema, (JsonObject)ShapeValidator.Validate(raw, schema, schema.Name)!);
}
