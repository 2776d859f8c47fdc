using System.Text.Json.Nodes;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>upstream's ToolType: what a tool does (metrics, prompts). Replay uses <see cref="ToolFunction.MutatesState"/>.</summary>
public enum ToolType { Read, Write, Think, Generic }

/// <summary>One parameter of a toolkit function: its JSON schema for the agent, and Python call semantics.</summary>
public sealed record ToolParameter(string Name, JsonObject Schema, bool Required = true, JsonNode? Default = null)
{
    public static ToolParameter Str(string name, string? description) => new(name, TypeSchema("string", description));
    public static ToolParameter Int(string name, string? description) => new(name, TypeSchema("integer", description));
    public static ToolParameter Number(string name, string? description) => new(name, TypeSchema("number", description));
    public static ToolParameter Bool(string name, string? description) => new(name, TypeSchema("boolean", description));
    public static ToolParameter Any(string name, string? description) => new(name, description is null ? [] : new JsonObject { ["description"] = description });

    public static ToolParameter Enum(string name, string? description, params string[] values)
    {
        var schema = TypeSchema("string", description);
        schema["enum"] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
        return new(name, schema);
    }

    public static ToolParameter Array(string name, string? description, JsonObject items)
    {
        var schema = TypeSchema("array", description);
        schema["items"] = items.DeepClone();
        return new(name, schema);
    }

    public static ToolParameter Object(string name, string? description, JsonObject schema)
    {
        if (description is not null) schema["description"] = description;
        return new(name, schema);
    }

    /// <summary>An optional parameter with its Python default.</summary>
    public ToolParameter Optional(JsonNode? defaultValue)
    {
        var schema = (JsonObject)Schema.DeepClone();
        schema["default"] = defaultValue?.DeepClone();
        return this with { Required = false, Default = defaultValue, Schema = schema };
    }

    public static JsonObject TypeSchema(string type, string? description)
    {
        var o = new JsonObject();
        if (description is not null) o["description"] = description;
        o["type"] = type;
        return o;
    }

    /// <summary>JSON schema of an object with string/integer/number properties, all required.</summary>
    public static JsonObject ObjectSchema(params (string Name, string Type, string Description)[] properties)
    {
        var props = new JsonObject();
        foreach (var (n, t, d) in properties) props[n] = TypeSchema(t, d);
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = props,
            ["required"] = new JsonArray(properties.Select(p => (JsonNode?)p.Name).ToArray()),
        };
    }
}

/// <summary>
/// A function of a toolkit. Tools (<see cref="IsTool"/>) are offered to the agent or user; the others (e.g.
/// <c>set_data_usage</c>, <c>break_apn_settings</c>, <c>assert_*</c>) are reachable only from a task's
/// initialization actions and env assertions, exactly as upstream's <c>getattr(toolkit, func_name)</c>.
/// </summary>
public sealed class ToolFunction
{
    public required string Name { get; init; }
    public required bool IsTool { get; init; }
    public ToolType Type { get; init; } = ToolType.Read;
    /// <summary>Whether it changes state (upstream: <c>mutates_state</c>, default true iff WRITE).</summary>
    public bool MutatesState => Type == ToolType.Write;
    public string Description { get; init; } = "";
    public IReadOnlyList<ToolParameter> Parameters { get; init; } = [];
    public required Func<Toolkit, ToolArgs, object?> Body { get; init; }

    /// <summary>The OpenAI function-calling schema the agent (or user simulator) receives.</summary>
    public JsonObject ToOpenAiSchema()
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var p in Parameters)
        {
            properties[p.Name] = p.Schema.DeepClone();
            if (p.Required) required.Add(p.Name);
        }
        return new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = Name,
                ["description"] = Description,
                ["parameters"] = new JsonObject
                {
                    ["properties"] = properties,
                    ["required"] = required,
                    ["type"] = "object",
                },
            },
        };
    }
}
