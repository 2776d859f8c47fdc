using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Declarative;

/// <summary>
/// The JSON Schema subset a declarative domain uses for records and tool parameters (object, string with enum or
/// format date, integer, number, boolean, array), turned into the engine's pydantic-like <see cref="Shape"/>s so
/// records are normalised and hashed exactly like the hand-written domains' databases.
/// </summary>
public static class JsonSchemaShapes
{
    /// <summary>Checks an object schema and returns its properties; errors name the JSON path.</summary>
    public static JsonObject CheckObjectSchema(JsonReader r)
    {
        if (r.OptionalString("type") is not "object") throw r.Error("expected an object schema ({\"type\": \"object\", \"properties\": {…}}).");
        var props = r.Optional("properties") ?? throw r.Error("missing required field 'properties'.");
        foreach (var (name, _) in props.Object()) CheckProperty(props.Required(name));
        if (r.Optional("required") is { } req)
            foreach (var item in req.Items())
                if (!props.Object().ContainsKey(item.String())) throw item.Error($"'{item.String()}' is required but not a property.");
        return props.Object();
    }

    private static void CheckProperty(JsonReader r)
    {
        var type = r.Required("type").String();
        switch (type)
        {
            case "string":
                if (r.Optional("enum") is { } e && e.Strings().Count == 0) throw e.Error("an enum needs at least one value.");
                break;
            case "integer" or "number" or "boolean":
                break;
            case "array":
                CheckProperty(r.Required("items"));
                break;
            case "object":
                CheckObjectSchema(r);
                break;
            default:
                throw r.Required("type").Error($"type '{type}' is not supported; use string, integer, number, boolean, array or object.");
        }
    }

    public static Model ModelOf(string name, JsonObject schema)
    {
        var required = (schema["required"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        var fields = new List<Field>();
        foreach (var (prop, s) in (JsonObject)schema["properties"]!)
        {
            var shape = ShapeOf(prop, (JsonObject)s!);
            fields.Add(required.Contains(prop) ? Field.Required(prop, shape) : Field.NullDefault(prop, shape));
        }
        return new Model(name, fields);
    }

    public static Shape ShapeOf(string name, JsonObject schema) => schema["type"]!.GetValue<string>() switch
    {
        "string" when schema["enum"] is JsonArray values => Shape.Literal(values.Select(v => v!.GetValue<string>()).ToArray()),
        "string" when schema["format"]?.GetValue<string>() == "date" => Shape.Date,
        "string" => Shape.Str,
        "integer" => Shape.Int,
        "number" => Shape.Float,
        "boolean" => Shape.Bool,
        "array" => Shape.ListOf(ShapeOf(name, (JsonObject)schema["items"]!)),
        "object" => ModelOf(char.ToUpperInvariant(name[0]) + name[1..], schema),
        var t => throw new InvalidOperationException($"unsupported schema type {t}"),
    };
}
