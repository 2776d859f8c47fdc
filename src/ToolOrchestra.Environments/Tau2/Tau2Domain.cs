using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>
/// A loaded tau2 domain: its policy and databases (parsed once, shared by every environment made from it) and the
/// factory of fresh environments. Data comes from a folder laid out like upstream's <c>data/</c>
/// (<c>tau2/domains/&lt;domain&gt;/…</c>), so a tau2-bench checkout works as is.
/// </summary>
public sealed class Tau2Domain
{
    /// <summary>The built-in domains (see <see cref="Tau2DomainRegistry.BuiltIn"/>); <see cref="NamesIn"/> adds a data folder's.</summary>
    public static IReadOnlyList<string> Names => Tau2DomainRegistry.BuiltIn.Names;

    /// <summary>The domains a data folder offers: the built-in ones and its declarative domains.</summary>
    public static IReadOnlyList<string> NamesIn(string dataDir) => Tau2DomainRegistry.BuiltIn.NamesIn(ResolveDataDir(dataDir));

    /// <summary>
    /// Loaded domains by data folder and definition: the databases are parsed once per process and shared read-only by
    /// every environment (a memo of file contents, not a registry: it decides nothing about which names exist).
    /// </summary>
    private static readonly ConcurrentDictionary<(string Root, Tau2DomainDefinition Definition), Lazy<Tau2Domain>> Cache = new();

    private readonly Func<Tau2Domain, Tau2Environment> _factory;

    internal Tau2Domain(string name, string folder, string policy, DbSnapshot agentDb, DbSnapshot? userDb, Func<Tau2Domain, Tau2Environment> factory)
    {
        Name = name;
        Folder = folder;
        Policy = policy;
        AgentDb = agentDb;
        UserDb = userDb;
        _factory = factory;
    }

    public string Name { get; }
    /// <summary>The domain's folder (…/tau2/domains/&lt;name&gt;).</summary>
    public string Folder { get; }
    public string Policy { get; }
    public DbSnapshot AgentDb { get; }
    public DbSnapshot? UserDb { get; }

    /// <summary>The default task file of the domain.</summary>
    public string TasksFile => Path.Combine(Folder, "tasks.json");

    /// <summary>A fresh environment over the initial databases.</summary>
    public Tau2Environment CreateEnvironment() => _factory(this);

    /// <summary>The user simulator guidelines file (with tools: telecom and mock).</summary>
    public string UserGuidelinesFile(bool withTools) =>
        Path.Combine(Folder, "..", "..", "user_simulator", withTools ? "simulation_guidelines_tools.md" : "simulation_guidelines.md");

    /// <summary>Loads (once per process and folder) a domain from a data folder.</summary>
    public static Tau2Domain Load(string dataDir, string name) => Load(dataDir, name, Tau2DomainRegistry.BuiltIn);

    /// <summary>Loads (once per process, folder and definition) a domain of <paramref name="registry"/> from a data folder.</summary>
    public static Tau2Domain Load(string dataDir, string name, Tau2DomainRegistry registry)
    {
        var root = ResolveDataDir(dataDir);
        var definition = registry.Get(root, name);
        var key = (Path.GetFullPath(root), definition);
        var lazy = Cache.GetOrAdd(key, _ => new Lazy<Tau2Domain>(() => LoadUncached(root, definition)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Cache.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>Whether <paramref name="name"/> is a built-in domain or a declarative one in the data folder (a query: it registers nothing).</summary>
    public static bool Exists(string dataDir, string name) => Tau2DomainRegistry.BuiltIn.Find(ResolveDataDir(dataDir), name) is not null;

    /// <summary>
    /// Accepts upstream's <c>data</c> folder (holding tau2/domains), its parent (a tau2-bench checkout), or the tau2
    /// folder itself; returns the folder holding <c>domains</c>.
    /// </summary>
    public static string ResolveDataDir(string dataDir)
    {
        foreach (var candidate in new[] { Path.Combine(dataDir, "tau2"), Path.Combine(dataDir, "data", "tau2"), dataDir })
            if (Directory.Exists(Path.Combine(candidate, "domains"))) return candidate;
        throw new UserError($"{dataDir}: no tau2/domains folder there. Point --data-dir at upstream's data folder (the one holding tau2/domains/<domain>/).");
    }

    private static Tau2Domain LoadUncached(string root, Tau2DomainDefinition definition)
    {
        var folder = Path.Combine(root, "domains", definition.Name);
        if (!Directory.Exists(folder)) throw new UserError($"{folder}: domain folder not found. Check --data-dir.");
        return definition.Load(new Tau2DomainFiles(definition.Name, folder));
    }

    internal static DbSnapshot Snapshot(string file, Model schema, JsonNode? raw)
    {
        try
        {
            return DbSnapshot.Create(schema, raw);
        }
        catch (ValidationError e)
        {
            throw new UserError($"{file}: does not match upstream's {schema.Name} model: {e.Message.Split('\n').Skip(1).FirstOrDefault()} {e.Issues[0].Message}.");
        }
    }

    /// <summary>
    /// Checks that a task only names functions this domain has: gold actions (tools of the requestor's toolkit),
    /// initialization actions and env assertions (any toolkit function). Errors name the file and task id.
    /// </summary>
    public void Validate(Tau2Task task, string file)
    {
        var env = CreateEnvironment();
        UserError Bad(string what) => new($"{file}: task '{task.Id}': {what}");
        Toolkit Kit(string envType, string where) => envType == Tau2Roles.User
            ? env.UserTools ?? throw Bad($"{where} uses the user toolkit, but the {Name} domain has no user tools.")
            : env.AgentTools;
        var criteria = task.EvaluationCriteria;
        for (var i = 0; i < (criteria?.Actions?.Count ?? 0); i++)
        {
            var a = criteria!.Actions![i];
            var where = $"evaluation_criteria.actions[{i}]";
            if (!Kit(a.Requestor, where).HasTool(a.Name))
                throw Bad($"{where} names tool '{a.Name}', which the {Name} {a.Requestor} toolkit does not have.");
        }
        for (var i = 0; i < (criteria?.EnvAssertions?.Count ?? 0); i++)
        {
            var a = criteria!.EnvAssertions![i];
            var where = $"evaluation_criteria.env_assertions[{i}]";
            if (Kit(a.EnvType, where).Find(a.FuncName) is null)
                throw Bad($"{where} names function '{a.FuncName}', which the {Name} {a.EnvType} toolkit does not have.");
        }
        var init = task.InitialState?.InitializationActions;
        for (var i = 0; i < (init?.Count ?? 0); i++)
        {
            var where = $"initial_state.initialization_actions[{i}]";
            if (Kit(init![i].EnvType, where).Find(init[i].FuncName) is null)
                throw Bad($"{where} names function '{init[i].FuncName}', which the {Name} {init[i].EnvType} toolkit does not have.");
        }
    }
}
