using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>Python behaviours of tool code on raw arguments (iteration, model construction, attribute access).</summary>
internal static class PyArgs
{
    /// <summary>
    /// upstream's <c>if all(isinstance(x, dict) for x in xs): xs = [Model(**x) for x in xs]</c> followed by attribute
    /// access: a list of dicts becomes validated models (the first invalid one raises pydantic's error); anything else
    /// raises the error Python would at the first use.
    /// </summary>
    public static List<JsonObject> Models(JsonNode? value, Model model, string firstAttribute)
    {
        var items = Iterate(value);
        if (items.All(i => i is JsonObject))
            return items.Select(i => ShapeValidator.Construct(model, (JsonObject)i!)).ToList();
        throw new ToolError($"'{Py.TypeName(items[0])}' object has no attribute '{firstAttribute}'");
    }

    /// <summary>Python iteration of a value: a list's items, a dict's keys, a string's characters.</summary>
    public static List<JsonNode?> Iterate(JsonNode? value) => Py.TypeOf(value) switch
    {
        PyType.List => ((JsonArray)value!).ToList(),
        PyType.Dict => ((JsonObject)value!).Select(p => (JsonNode?)Py.String(p.Key)).ToList(),
        PyType.Str => value!.GetValue<string>().Select(c => (JsonNode?)Py.String(c.ToString())).ToList(),
        _ => throw new ToolError($"'{Py.TypeName(value)}' object is not iterable"),
    };

    /// <summary>Python <c>len(value)</c>.</summary>
    public static int Len(JsonNode? value) => Py.TypeOf(value) switch
    {
        PyType.List => ((JsonArray)value!).Count,
        PyType.Dict => ((JsonObject)value!).Count,
        PyType.Str => value!.GetValue<string>().Length,
        _ => throw new ToolError($"object of type '{Py.TypeName(value)}' has no len()"),
    };
}
