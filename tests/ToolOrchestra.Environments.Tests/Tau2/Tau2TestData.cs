using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>
/// The vendored tau2 data (../shared/data/tau2, never committed) and recorded results. Domains are cached per process
/// by <see cref="Tau2Domain.Load"/>, so every test shares one parse of each database.
/// </summary>
public static class Tau2TestData
{
    public static string DataDir => SharedData.File("tau2", "data");
    public static string LegacyTasks(string domain) => SharedData.File("tau2", "legacy-v0.1.0", "data", "tau2", "domains", domain, "tasks.json");
    public static string Sims(string file) => SharedData.File("tau2-sims", file);

    public static Tau2Domain Domain(string name) => Tau2Domain.Load(DataDir, name);
    public static Tau2TaskSet Tasks(string name) => Tau2TaskSet.Load(Domain(name));

    private static readonly Dictionary<string, Tau2Results> ResultsCache = new();

    public static Tau2Results Results(string file)
    {
        lock (ResultsCache)
        {
            if (!ResultsCache.TryGetValue(file, out var r)) ResultsCache[file] = r = Tau2Results.Read(Sims(file));
            return r;
        }
    }
}
