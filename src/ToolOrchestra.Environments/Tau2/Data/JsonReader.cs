using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Data;

/// <summary>
/// Reads upstream tau2 JSON (tasks, messages, results) with errors that name the file, the JSON path, the task id
/// when there is one, and what was expected.
/// </summary>
public readonly struct JsonReader(string file, string path, JsonNode? node, string? taskId = null)
{
    public string File => file;
    public string Path => path;
    public JsonNode? Node => node;
    public string? TaskId => taskId;

    public static JsonNode? ParseFile(string file)
    {
        if (!System.IO.File.Exists(file)) throw new UserError($"{file}: file not found. Check --data-dir (it must hold tau2/domains/<domain>/).");
        try
        {
            using var stream = System.IO.File.OpenRead(file);
            return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new UserError($"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
    }

    public JsonReader ForTask(string id) => new(file, path, node, id);

    public UserError Error(string what) =>
        new($"{file}: {path}{(taskId is null ? "" : $" (task '{taskId}')")}: {what}");

    public bool IsNull => node is null;

    public JsonReader? Optional(string name) =>
        Object().TryGetPropertyValue(name, out var v) && v is not null ? new JsonReader(file, $"{path}.{name}", v, taskId) : null;

    public JsonReader Required(string name) =>
        Optional(name) ?? throw Error($"missing required field '{name}'.");

    public JsonObject Object() => node as JsonObject ?? throw Error($"expected an object, found {Describe(node)}.");

    public JsonArray Array() => node as JsonArray ?? throw Error($"expected an array, found {Describe(node)}.");

    public IEnumerable<JsonReader> Items()
    {
        var array = Array();
        for (var i = 0; i < array.Count; i++) yield return new JsonReader(file, $"{path}[{i}]", array[i], taskId);
    }

    public string String() => Py.Str(node) ?? throw Error($"expected a string, found {Describe(node)}.");

    public string? OptionalString(string name) => Optional(name)?.String();

    public bool Bool() => Py.TypeOf(node) == PyType.Bool ? node!.GetValue<bool>() : throw Error($"expected true or false, found {Describe(node)}.");

    public double Number() => Py.IsNumber(node) ? Py.Num(node) : throw Error($"expected a number, found {Describe(node)}.");

    public IReadOnlyList<string> Strings() => Items().Select(i => i.String()).ToList();

    public static string Describe(JsonNode? n) => Py.TypeOf(n) switch
    {
        PyType.None => "null",
        PyType.Str => $"the string \"{Truncate(n!.GetValue<string>())}\"",
        PyType.Dict => "an object",
        PyType.List => "an array",
        _ => n!.ToJsonString(),
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
