using System.Text.Json.Nodes;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.Tau2.Data;

/// <summary>
/// A domain's tasks (upstream tasks.json or any task file, e.g. the v0.1.0 ones) and its named splits
/// (<c>split_&lt;stem&gt;.json</c> beside the task file, else the domain's own <c>split_tasks.json</c>).
/// </summary>
public sealed class Tau2TaskSet
{
    private Tau2TaskSet(string file, IReadOnlyList<Tau2Task> tasks, IReadOnlyDictionary<string, IReadOnlyList<string>> splits)
    {
        File = file;
        Tasks = tasks;
        Splits = splits;
    }

    public string File { get; }
    public IReadOnlyList<Tau2Task> Tasks { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Splits { get; }

    public static Tau2TaskSet Load(Tau2Domain domain, string? tasksFile = null)
    {
        var file = tasksFile ?? domain.TasksFile;
        var tasks = Tau2Task.ReadFile(file);
        foreach (var task in tasks) domain.Validate(task, file);
        var stem = Path.GetFileNameWithoutExtension(file);
        var splitFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, $"split_{stem}.json");
        if (!System.IO.File.Exists(splitFile)) splitFile = Path.Combine(domain.Folder, "split_tasks.json");
        var splits = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (System.IO.File.Exists(splitFile))
        {
            var r = new JsonReader(splitFile, "$", JsonReader.ParseFile(splitFile));
            foreach (var (name, _) in r.Object()) splits[name] = r.Required(name).Strings();
        }
        return new Tau2TaskSet(file, tasks, splits);
    }

    /// <summary>The tasks of a split (all tasks when <paramref name="split"/> is null), in file order.</summary>
    public IReadOnlyList<Tau2Task> Select(string? split, IReadOnlyCollection<string>? ids = null)
    {
        IEnumerable<Tau2Task> selected = Tasks;
        if (split is not null)
        {
            if (!Splits.TryGetValue(split, out var members))
                throw new UserError($"{File}: no split '{split}'. Known splits: {(Splits.Count == 0 ? "none" : string.Join(", ", Splits.Keys))}.");
            var set = members.ToHashSet(StringComparer.Ordinal);
            selected = selected.Where(t => set.Contains(t.Id));
        }
        if (ids is not null)
        {
            var missing = ids.Where(id => !Tasks.Any(t => t.Id == id)).ToList();
            if (missing.Count > 0) throw new UserError($"{File}: no task with id {string.Join(", ", missing.Select(m => $"'{m}'"))}.");
            selected = selected.Where(t => ids.Contains(t.Id));
        }
        return selected.ToList();
    }

    public Tau2Task Get(string id) =>
        Tasks.FirstOrDefault(t => t.Id == id) ?? throw new UserError($"{File}: no task with id '{id}'.");
}
