using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Environments.Tau2.Simulation;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Hosting;

namespace ToolOrchestra.Evaluation.Tau2;

/// <summary>What a set of tau2 simulations runs: the catalog, the domain and tasks, the agent, the user simulator.</summary>
public sealed record Tau2RunRequest(
    string CatalogPath,
    string DataDir,
    string Domain,
    string UserModel,
    string? Split = null,
    IReadOnlyList<string>? TaskIds = null,
    int Trials = 1,
    int MaxSteps = 200,
    int MaxErrors = 10,
    int Seed = 300,
    int Concurrency = 1,
    string Agent = "orchestrator",
    string? AgentModel = null,
    string? PreferencesPath = null,
    string? JudgeModel = null,
    string? ResultsPath = null)
{
    /// <summary>The catalog already loaded (and perhaps derived, as the evaluation harness's setups do); null loads <see cref="CatalogPath"/>.</summary>
    public Catalog? Catalog { get; init; }
}

/// <summary>
/// tau2 simulations on the engine: the orchestrator (the Runtime's function-calling loop with <c>call_expert</c>) or
/// upstream's plain agent, against the simulated user, scored by upstream's evaluator, written simulation by simulation
/// to a results file that a rerun resumes. <see cref="Prepare"/> checks everything a run needs before any call is paid.
/// </summary>
public sealed class Tau2Harness
{
    private readonly Tau2RunSet _set;
    private readonly IReadOnlyList<Tau2Task> _tasks;
    private readonly Tau2Simulator _simulator;

    private Tau2Harness(Tau2RunSet set, Tau2Simulator simulator, IReadOnlyList<Tau2Task> tasks, string resultsPath, string agentDescription, string domain, bool simulatedUser, Tau2RunSettings settings)
    {
        _set = set;
        _simulator = simulator;
        _tasks = tasks;
        ResultsPath = resultsPath;
        AgentDescription = agentDescription;
        Domain = domain;
        SimulatedUser = simulatedUser;
        Settings = settings;
    }

    public string ResultsPath { get; }
    public string AgentDescription { get; }
    public string Domain { get; }
    public Tau2RunSettings Settings { get; }
    /// <summary>The tasks this harness runs, in the domain's order.</summary>
    public IReadOnlyList<Tau2Task> Tasks => _tasks;

    /// <summary>The seed of each trial: one RNG seeded with the run seed, as upstream (and <see cref="Tau2RunSet"/>) draws them.</summary>
    public IReadOnlyList<long> TrialSeeds()
    {
        var rng = new Random(Settings.Seed);
        return Enumerable.Range(0, Settings.Trials).Select(_ => (long)rng.Next(0, 1_000_001)).ToList();
    }

    /// <summary>One simulation of <paramref name="task"/>, trial <paramref name="trial"/> (0-based), scored by upstream's evaluator.</summary>
    public Task<Tau2SimulationRun> RunOneAsync(Tau2Task task, int trial, CancellationToken ct) =>
        _simulator.RunAsync(task, trial, TrialSeeds()[trial], ct);

    /// <summary>The user simulator's model is tagged <c>simulated</c> (orchestra sim serve): its replies, and the rewards, are not a real user's.</summary>
    public bool SimulatedUser { get; }

    public static Tau2Harness Prepare(Tau2RunRequest r)
    {
        var catalog = r.Catalog ?? CatalogLoader.Load(r.CatalogPath);
        var domain = Tau2Domain.Load(r.DataDir, r.Domain);
        var tasks = Tau2TaskSet.Load(domain).Select(r.Split, r.TaskIds is { Count: > 0 } ? r.TaskIds : null);
        // One engine for the agent, the user simulator and the judge: one client pipeline (ledger, retries, telemetry).
        var engine = Engine(catalog);
        var models = engine.GetRequiredService<ModelClientFactory>();
        var preferences = r.PreferencesPath is { } p ? Preferences.Load(p).ValidateAgainst(catalog, p) : Preferences.None;
        var env = domain.CreateEnvironment();
        var domainTools = env.AgentToolSchemas().Select(Tau2ChatView.Declaration).ToList();
        var decoding = new Tau2Decoding();

        ITau2Agent agent;
        string agentModel;
        switch (r.Agent)
        {
            case "plain":
                agentModel = r.AgentModel ?? catalog.Orchestrator.Model;
                if (!catalog.Models.ContainsKey(agentModel)) throw new UserError($"{catalog.SourcePath}: --agent-model '{agentModel}' is not a model of the catalog.");
                agent = new PlainTau2Agent(models.For(agentModel), agentModel, domain.Policy, domainTools, decoding);
                break;
            case "orchestrator":
                agentModel = catalog.Orchestrator.Model;
                if (!catalog.Aliases.Keys.Any(a => a.StartsWith("expert-", StringComparison.Ordinal)))
                    throw new UserError($"{catalog.SourcePath}: $.aliases: no 'expert-*' alias, so the orchestrator's call_expert has no expert to call; add one (e.g. \"expert-1\": \"<model id>\", as in examples/catalog.local.json) or use --agent plain.");
                agent = new OrchestratorTau2Agent(engine.GetRequiredService<IOrchestrator>(), domain.Policy, domainTools, preferences, decoding);
                break;
            default:
                throw new UserError($"--agent must be 'orchestrator' or 'plain', not '{r.Agent}'.");
        }

        if (!catalog.Models.TryGetValue(r.UserModel, out var userEntry))
            throw new UserError($"{catalog.SourcePath}: --user-model '{r.UserModel}' is not a model of the catalog; give one of {string.Join(", ", catalog.Models.Keys.Order(StringComparer.Ordinal))}, or add a model that can play the user (an instruction-following LLM endpoint, as upstream's gpt-4.1).");
        var userClient = models.For(r.UserModel);
        Tau2UserSimulator UserFor(Tau2Task task) => new(userClient, r.UserModel, Tau2Prompts.UserSystemPrompt(domain, task),
            env.UserToolSchemas(task.UserTools).Select(Tau2ChatView.Declaration).ToList(), decoding);

        var settings = new Tau2RunSettings(domain.Name, r.Agent == "plain" ? "llm_agent" : "orchestrator", agentModel, r.UserModel,
            r.Trials, r.MaxSteps, r.MaxErrors, r.Seed, r.Concurrency);
        var simulator = new Tau2Simulator(domain, agent, UserFor, new Tau2Evaluator(domain, Judge(models, r.CatalogPath, r.JudgeModel)), settings.MaxSteps, settings.MaxErrors);
        var path = r.ResultsPath ?? Path.Combine("runs", $"tau2-{domain.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        return new Tau2Harness(new Tau2RunSet(simulator, settings, domain.Policy), simulator, tasks, path, agent.Description, domain.Name, userEntry.HasTag("simulated"), settings);
    }

    /// <summary>The engine a simulation's agent and user run on: no code sandbox, trajectories in the results file.</summary>
    private static ServiceProvider Engine(Catalog catalog) =>
        new ServiceCollection().AddToolOrchestra(catalog, o => (o.RunsDirectory, o.Code) = (null, false)).Services.BuildServiceProvider();

    /// <summary>The judge of <paramref name="catalogPath"/>'s model <paramref name="judgeModel"/> (re-scoring stored simulations); null when none is named.</summary>
    public static INlAssertionJudge? Judge(string catalogPath, string? judgeModel) =>
        judgeModel is null ? null : Judge(Engine(CatalogLoader.Load(catalogPath)).GetRequiredService<ModelClientFactory>(), catalogPath, judgeModel);

    /// <summary>The model that grades natural-language assertions; null reports them as not evaluated.</summary>
    public static INlAssertionJudge? Judge(ModelClientFactory models, string catalogPath, string? judgeModel)
    {
        if (judgeModel is null) return null;
        if (!models.Catalog.Models.ContainsKey(judgeModel)) throw new UserError($"{catalogPath}: --judge '{judgeModel}' is not a model of the catalog.");
        return new LlmNlAssertionJudge(models.For(judgeModel), judgeModel);
    }

    /// <summary>Opens (or resumes) the results file; <see cref="Tau2ResultsJournal.Resumed"/> says how many simulations are already done.</summary>
    public Tau2ResultsJournal OpenJournal() => _set.OpenJournal(ResultsPath);

    /// <summary>Runs what the journal lacks, then reads the whole results file back as one report row.</summary>
    public async Task<Tau2ReportRow> RunAsync(Tau2ResultsJournal journal, Action<Tau2SimulationRun>? onDone, CancellationToken ct)
    {
        await _set.RunAsync(_tasks, journal, onDone, ct).ConfigureAwait(false);
        return Tau2Report.Build([Tau2Results.Read(ResultsPath)])[0];
    }

    /// <summary>Expert calls per alias over every simulation of the results file, resumed ones included.</summary>
    public SortedDictionary<string, int> ExpertCalls()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var root = JsonNode.Parse(File.ReadAllText(ResultsPath));
        foreach (var sim in root?["simulations"]?.AsArray() ?? [])
            foreach (var (alias, n) in sim?["ledger"]?["expert_calls"]?.AsObject() ?? [])
                counts[alias] = counts.GetValueOrDefault(alias) + (n?.GetValue<int>() ?? 0);
        return counts;
    }
}
