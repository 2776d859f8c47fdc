using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>Arguments of one call, after Python's keyword binding (defaults filled). Values are passed unvalidated.</summary>
public sealed class ToolArgs(JsonObject values)
{
    public JsonNode? this[string name] => values[name];

    /// <summary>The argument when it is a Python str, else null (a dict lookup with a non-str key finds nothing).</summary>
    public string? Str(string name) => Py.Str(values[name]);

    /// <summary><c>str(arg)</c>, as an f-string prints it.</summary>
    public string Text(string name) => Py.ToStr(values[name]);

    public JsonObject All => values;
}

/// <summary>
/// A toolkit bound to one environment's database (upstream's ToolKitBase subclass). Functions are looked up by name
/// and called with keyword arguments: an unknown tool, an unexpected or a missing argument raise the same errors
/// Python would, with upstream's class name in them.
/// </summary>
public abstract class Toolkit
{
    private readonly IReadOnlyDictionary<string, ToolFunction> _functions;

    protected Toolkit(string className, Database? db, IReadOnlyList<ToolFunction> functions)
    {
        ClassName = className;
        Db = db;
        Functions = functions;
        _functions = functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>Upstream class name, e.g. "AirlineTools" (it appears in Python TypeError messages).</summary>
    public string ClassName { get; }

    public Database? Db { get; internal set; }

    /// <summary>Every function, in upstream definition order.</summary>
    public IReadOnlyList<ToolFunction> Functions { get; }

    /// <summary>The tools offered to the agent/user, in upstream definition order.</summary>
    public IEnumerable<ToolFunction> Tools => Functions.Where(f => f.IsTool);

    public bool HasTool(string name) => _functions.TryGetValue(name, out var f) && f.IsTool;

    public ToolFunction? Find(string name) => _functions.GetValueOrDefault(name);

    /// <summary><c>use_tool</c>: only tools; an unknown name raises "Tool '&lt;name&gt;' not found.".</summary>
    public object? UseTool(string name, JsonObject arguments)
    {
        if (!_functions.TryGetValue(name, out var f) || !f.IsTool) throw new ToolError($"Tool '{name}' not found.");
        return Invoke(f, arguments);
    }

    /// <summary><c>getattr(toolkit, name)(**arguments)</c>: any function, tool or not.</summary>
    public object? CallFunction(string name, JsonObject arguments)
    {
        if (!_functions.TryGetValue(name, out var f))
            throw new ToolError($"'{ClassName}' object has no attribute '{name}'");
        return Invoke(f, arguments);
    }

    private object? Invoke(ToolFunction f, JsonObject arguments)
    {
        var qualified = $"{ClassName}.{f.Name}()";
        foreach (var (key, _) in arguments)
            if (!f.Parameters.Any(p => p.Name == key))
                throw new ToolError($"{qualified} got an unexpected keyword argument '{key}'");
        var missing = f.Parameters.Where(p => p.Required && !arguments.ContainsKey(p.Name)).Select(p => $"'{p.Name}'").ToList();
        if (missing.Count > 0)
        {
            var names = missing.Count switch
            {
                1 => missing[0],
                2 => $"{missing[0]} and {missing[1]}",
                _ => string.Join(", ", missing.Take(missing.Count - 1)) + ", and " + missing[^1],
            };
            throw new ToolError($"{qualified} missing {missing.Count} required positional argument{(missing.Count == 1 ? "" : "s")}: {names}");
        }
        var bound = new JsonObject();
        foreach (var p in f.Parameters)
            bound[p.Name] = arguments.TryGetPropertyValue(p.Name, out var v) ? Py.Clone(v) : Py.Clone(p.Default);
        return f.Body(this, new ToolArgs(bound));
    }

    /// <summary>The OpenAI schemas of the tools, optionally only those named (a task's <c>user_tools</c>).</summary>
    public IReadOnlyList<JsonObject> ToolSchemas(IReadOnlyCollection<string>? include = null) =>
        Tools.Where(t => include is null || include.Contains(t.Name)).Select(t => t.ToOpenAiSchema()).ToList();

    /// <summary>Upstream <c>Environment.to_json_str</c> of a function's return value.</summary>
    public static string Serialize(object? result) => result switch
    {
        null => "null",
        string s => s,
        bool b => PyJson.Dumps(JsonValue.Create(b ? "True" : "False")),
        PyDict dict => PyJson.Dumps(dict.ToToolJson()),
        JsonNode node => PyJson.Dumps(node),
        _ => throw new InvalidOperationException($"unsupported tool result {result.GetType()}"),
    };
}

/// <summary>Builds the function list of a toolkit class in upstream definition order.</summary>
public sealed class ToolCatalog<T> where T : Toolkit
{
    private readonly List<ToolFunction> _functions = [];

    public ToolCatalog<T> Tool(string name, ToolType type, string description, Func<T, ToolArgs, object?> body, params ToolParameter[] parameters)
    {
        _functions.Add(new ToolFunction { Name = name, IsTool = true, Type = type, Description = description, Parameters = parameters, Body = (t, a) => body((T)t, a) });
        return this;
    }

    /// <summary>A non-tool method (initialization action, assertion).</summary>
    public ToolCatalog<T> Helper(string name, Func<T, ToolArgs, object?> body, params ToolParameter[] parameters)
    {
        _functions.Add(new ToolFunction { Name = name, IsTool = false, Parameters = parameters, Body = (t, a) => body((T)t, a) });
        return this;
    }

    public IReadOnlyList<ToolFunction> Build() => _functions.ToList();
}
