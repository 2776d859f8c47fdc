using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Results;

/// <summary>
/// Makes <c>tau2 run</c> resumable. Each finished simulation is appended (and flushed) to a sidecar JSONL file,
/// <c>&lt;results&gt;.partial.jsonl</c>, whose first line holds the run's <c>info</c>; <see cref="Complete"/> folds the
/// earlier results file, the sidecar and the new simulations into the upstream-format results file (written whole,
/// then renamed) and deletes the sidecar. Opening an existing results file or sidecar picks up every finished
/// (task, trial) pair, drops a line torn by a kill, and refuses one made with other settings: mixing them would make
/// pass^k meaningless.
/// </summary>
public sealed class Tau2ResultsJournal : IDisposable
{
    /// <summary>The <c>info</c> fields that must agree for simulations to belong to one run, with the option that sets each.</summary>
    private static readonly (string[] Path, string Option)[] Settings =
    [
        (["environment_info", "domain_name"], "--domain"),
        (["agent_info", "implementation"], "--agent"),
        (["agent_info", "llm"], "--agent-model"),
        (["user_info", "llm"], "--user-model"),
        (["num_trials"], "--trials"),
        (["seed"], "--seed"),
        (["max_steps"], "--max-turns"),
        (["max_errors"], "--max-errors"),
    ];

    private readonly Lock _gate = new();
    private readonly string _resultsPath;
    private readonly JsonObject _info;
    private readonly FileStream _sidecar;
    private readonly List<JsonObject> _priorTasks;
    private readonly Dictionary<(string Task, int Trial), JsonObject> _simulations;

    private Tau2ResultsJournal(string resultsPath, JsonObject info, FileStream sidecar, List<JsonObject> priorTasks, Dictionary<(string, int), JsonObject> simulations)
    {
        _resultsPath = resultsPath;
        _info = info;
        _sidecar = sidecar;
        _priorTasks = priorTasks;
        _simulations = simulations;
        Resumed = simulations.Count;
    }

    /// <summary>Simulations found finished when the journal was opened.</summary>
    public int Resumed { get; }

    public static string SidecarPathFor(string resultsPath) => resultsPath + ".partial.jsonl";

    /// <summary>Opens the journal of <paramref name="resultsPath"/> for a run with <paramref name="info"/> (upstream's <c>info</c> object).</summary>
    public static Tau2ResultsJournal Open(string resultsPath, JsonObject info)
    {
        var results = Path.GetFullPath(resultsPath);
        if (Directory.Exists(results)) throw new UserError($"{results}: is a folder; --out takes a JSON file path.");
        var sidecarPath = SidecarPathFor(results);
        var simulations = new Dictionary<(string, int), JsonObject>();
        var priorTasks = new List<JsonObject>();
        if (File.Exists(results))
        {
            var root = JsonReader.ParseFile(results) as JsonObject ?? throw new UserError($"{results}: $: not a tau2 results object; choose another --out.");
            Check(results, root["info"] as JsonObject, info);
            priorTasks.AddRange((root["tasks"] as JsonArray ?? []).OfType<JsonObject>().Select(t => (JsonObject)t.DeepClone()));
            foreach (var s in (root["simulations"] as JsonArray ?? []).OfType<JsonObject>()) simulations[Key(results, s)] = (JsonObject)s.DeepClone();
        }
        var keep = File.Exists(sidecarPath) ? ReadSidecar(sidecarPath, info, simulations) : 0;
        Directory.CreateDirectory(Path.GetDirectoryName(results)!);
        var sidecar = new FileStream(sidecarPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        sidecar.SetLength(keep);
        sidecar.Seek(0, SeekOrigin.End);
        var journal = new Tau2ResultsJournal(results, info, sidecar, priorTasks, simulations);
        if (keep == 0) journal.WriteLine(new JsonObject { ["info"] = info.DeepClone() });
        return journal;
    }

    public bool IsDone(string taskId, int trial)
    {
        lock (_gate) return _simulations.ContainsKey((taskId, trial));
    }

    /// <summary>Records one finished simulation (upstream's simulation object). Thread-safe.</summary>
    public void Append(JsonObject simulation)
    {
        lock (_gate)
        {
            _simulations[Key(_resultsPath, simulation)] = simulation;
            WriteLine(simulation);
        }
    }

    /// <summary>Writes the results file with every simulation (by trial, then in <paramref name="tasks"/>' order) and removes the sidecar.</summary>
    public void Complete(IReadOnlyList<JsonObject> tasks)
    {
        lock (_gate)
        {
            var ids = tasks.Select(t => Py.ToStr(t["id"]!)).ToList();
            var allTasks = tasks.Select(t => t.DeepClone())
                .Concat(_priorTasks.Where(t => !ids.Contains(Py.ToStr(t["id"]!))).Select(t => t.DeepClone())).ToArray();
            var order = allTasks.Select((t, i) => (Id: Py.ToStr(t!["id"]!), i)).ToDictionary(x => x.Id, x => x.i);
            var sims = _simulations.OrderBy(kv => kv.Key.Trial).ThenBy(kv => order.GetValueOrDefault(kv.Key.Task, int.MaxValue))
                .Select(kv => (JsonNode?)kv.Value.DeepClone()).ToArray();
            var root = new JsonObject
            {
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["info"] = _info.DeepClone(),
                ["tasks"] = new JsonArray(allTasks),
                ["simulations"] = new JsonArray(sims),
            };
            var temp = _resultsPath + ".tmp";
            File.WriteAllText(temp, SecretRedactor.Redact(root.ToJsonString(OrchestraJson.Options))); // messages may quote an error that echoed a key
            File.Move(temp, _resultsPath, overwrite: true);
            _sidecar.Dispose();
            File.Delete(SidecarPathFor(_resultsPath));
        }
    }

    public void Dispose() => _sidecar.Dispose();

    private void WriteLine(JsonNode node)
    {
        _sidecar.Write(Encoding.UTF8.GetBytes(SecretRedactor.Redact(node.ToJsonString(OrchestraJson.Compact)) + "\n"));
        _sidecar.Flush();
    }

    private static (string, int) Key(string file, JsonObject simulation)
    {
        if (simulation["task_id"] is not { } task) throw new UserError($"{file}: a simulation has no task_id; choose another --out.");
        var trial = simulation["trial"] is { } t && Py.IsNumber(t) ? (int)Py.Num(t) : 0;
        return (Py.ToStr(task), trial);
    }

    /// <summary>Reads the sidecar's whole lines into <paramref name="simulations"/>; returns the byte length they span.</summary>
    private static long ReadSidecar(string path, JsonObject info, Dictionary<(string, int), JsonObject> simulations)
    {
        var bytes = File.ReadAllBytes(path);
        var start = 0;
        var line = 0;
        while (start < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', start);
            if (newline < 0) break; // torn by a kill mid-write: that simulation is run again
            line++;
            JsonObject? node;
            try
            {
                node = JsonNode.Parse(bytes.AsSpan(start, newline - start)) as JsonObject;
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new UserError($"{path}: line {line}: not JSON ({e.Message}); delete it to run those simulations again.");
            }
            if (node is null) throw new UserError($"{path}: line {line}: not a JSON object; delete it to run those simulations again.");
            if (line == 1) Check(path, node["info"] as JsonObject, info);
            else simulations[Key(path, node)] = node;
            start = newline + 1;
        }
        return start;
    }

    private static void Check(string file, JsonObject? recorded, JsonObject current)
    {
        if (recorded is null) throw new UserError($"{file}: $.info: missing, so it cannot be resumed; choose another --out.");
        foreach (var (path, option) in Settings)
        {
            var was = At(recorded, path);
            var now = At(current, path);
            if (was != now)
                throw new UserError($"{file}: was made with {option} {was ?? "(none)"}, not {now}; rerun with the same settings to resume it, or choose another --out.");
        }
    }

    private static string? At(JsonObject root, string[] path)
    {
        JsonNode? node = root;
        foreach (var p in path) node = (node as JsonObject)?[p];
        return node is null ? null : Py.ToStr(node);
    }
}
