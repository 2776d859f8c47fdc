using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>
/// A plain Python dict a tool returns (not a pydantic model), e.g. telecom <c>refuel_data</c>'s
/// <c>{"message", "new_data_refueling_gb", "charge"}</c>. Its values keep their Python types, so a caller of the tool
/// sees <c>charge</c> as the float <c>10.0</c>, as upstream's own tests check; only when it becomes a tool message does
/// upstream's <c>to_json_str</c> turn its int/float/bool scalars into <c>str()</c> (<c>"10.0"</c>). Nested objects are
/// model dumps and keep their numbers.
/// </summary>
public sealed class PyDict
{
    public PyDict(JsonObject items) => Items = items;

    public JsonObject Items { get; }

    public JsonNode? this[string key] => Items[key];

    /// <summary>upstream <c>to_json_str</c>'s <c>_process</c> over the dict: scalars stringified, models kept.</summary>
    public JsonObject ToToolJson()
    {
        var o = new JsonObject();
        foreach (var (key, value) in Items) o[key] = Process(value);
        return o;
    }

    private static JsonNode? Process(JsonNode? value) => value switch
    {
        JsonObject model => Py.Clone(model),
        JsonArray list => new JsonArray(list.Select(Process).ToArray()),
        _ => Py.TypeOf(value) is PyType.Int or PyType.Float or PyType.Bool ? Py.String(Py.ToStr(value)) : Py.Clone(value),
    };
}
