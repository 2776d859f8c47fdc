using ToolOrchestra.Environments.Qa;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Evaluation.Tau2;
using ToolOrchestra.Runtime.Hosting;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// tau2-bench domains through the engine (<see cref="Tau2Harness"/>): one sample per (task, trial), named
/// <c>TASK#TRIAL</c>, against the simulated user, scored by upstream's evaluator (reward in <c>reward</c>, success =
/// reward 1 in <c>correct</c>). Setups: <c>orchestrated</c> — the model orchestrates the catalog's experts through
/// <c>call_expert</c>; <c>direct</c> — upstream's plain agent, the model alone with the domain's tools. pass^k comes
/// from one run's samples, so it never pools different agents or models. The user simulator's dollars stay in the
/// trajectory (<c>user_cost_usd</c>), apart from the agent's.
/// </summary>
public sealed class Tau2Benchmark : IEvalBenchmark
{
    private readonly Tau2Harness _harness;
    private readonly Dictionary<string, Tau2Task> _tasks;

    private Tau2Benchmark(Tau2Harness harness, string orchestrator, bool simulated, string? judgeModel)
    {
        _harness = harness;
        _tasks = harness.Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
        Items = Enumerable.Range(0, harness.Settings.Trials)
            .SelectMany(trial => harness.Tasks.Select(t => new EvalItem($"{t.Id}#{trial}", t.Id))).ToList();
        Orchestrator = orchestrator;
        Simulated = simulated;
        var notes = new List<string> { $"tau2 {harness.Domain}: {harness.Tasks.Count} tasks × {harness.Settings.Trials} trials, {harness.AgentDescription}, user {harness.Settings.UserModel}{(harness.SimulatedUser ? " (simulated)" : "")}." };
        if (harness.SimulatedUser) notes.Add($"The user simulator {harness.Settings.UserModel} is tagged 'simulated': its replies, and the rewards, are not a real user's.");
        if (judgeModel is null) notes.Add("No judge: the catalog has no 'judge' alias and --judge was not given, so a task whose reward needs its NL assertions graded is stored as not evaluated (reward null) and counted apart, never as 0.");
        Notes = notes;
        Settings = new Dictionary<string, string?>
        {
            ["domain"] = harness.Domain, ["user_model"] = harness.Settings.UserModel,
            ["trials"] = harness.Settings.Trials.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["max_steps"] = harness.Settings.MaxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["judge_model"] = judgeModel,
        };
    }

    public string Orchestrator { get; }
    public bool Simulated { get; }
    public IReadOnlyList<EvalItem> Items { get; }
    public IReadOnlyList<string> Notes { get; }
    public IReadOnlyList<string> Warnings { get; private init; } = [];
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public static Task<IEvalBenchmark> CreateAsync(EvalRunOptions options, EvalStore store, CancellationToken ct)
    {
        if (options.Domain is null) throw new UserError("--benchmark tau2 needs --domain (airline, retail, telecom or mock).");
        if (options.DataDir is null) throw new UserError("--benchmark tau2 needs --data-dir, a folder laid out like upstream tau2-bench's data/ (e.g. ../shared/data/tau2/data).");
        if (options.Config is null) throw new UserError("--benchmark tau2 needs --config CATALOG.");
        if (options.UserModel is null) throw new UserError("--benchmark tau2 needs --user-model, the catalog model that plays the user.");
        if (options.Protocol is not null || options.BudgetUsd is not null || options.Policy is not null)
            throw new UserError("--benchmark tau2 runs the function-calling protocol: --protocol, --budget-usd and --policy apply to QA benchmarks only; drop them.");
        var setup = EvalSetups.Parse(options.Setup);
        if (setup == EvalSetup.Basic)
            throw new UserError("--setup basic has no meaning for tau2 (its tools are the domain's, not search and code); use direct (the model as upstream's plain agent) or orchestrated.");
        var catalog = CatalogLoader.Load(options.Config);
        var model = options.Orchestrator ?? catalog.Orchestrator.Model;
        var derived = EvalSetups.Derive(catalog, EvalSetup.Orchestrated, model);
        // Before the first paid call: the agent's and the user simulator's keys; the agent answers itself, so no answer alias is needed.
        var warnings = CatalogReadiness.Require(derived, model, needsAnswerAlias: false, userModel: options.UserModel);
        var judge = AnswerJudge.Resolve(options.Judge, derived)?.Model;
        var harness = Tau2Harness.Prepare(new Tau2RunRequest(options.Config, options.DataDir, options.Domain, options.UserModel,
            Trials: options.Trials, MaxSteps: options.MaxTurns ?? 200, Agent: setup == EvalSetup.Direct ? "plain" : "orchestrator",
            AgentModel: model, JudgeModel: judge) { Catalog = derived });
        var simulated = derived.Models[model].HasTag("simulated") || harness.SimulatedUser;
        return Task.FromResult<IEvalBenchmark>(new Tau2Benchmark(harness, model, simulated, judge) { Warnings = warnings });
    }

    public async Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct)
    {
        var trial = int.Parse(item.SampleId[(item.SampleId.LastIndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var run = await _harness.RunOneAsync(_tasks[item.TaskId], trial, ct).ConfigureAwait(false);
        var verdict = run.Reward?.Verdict ?? RewardVerdict.Failed;
        var trajectory = new JsonObject
        {
            ["task_id"] = run.Task.Id, ["trial"] = run.Trial, ["seed"] = run.Seed, ["termination_reason"] = run.TerminationReason,
            ["reward_info"] = run.Reward?.ToJson(), ["user_cost_usd"] = run.UserLedger.CostUsd,
            ["user_calls"] = System.Text.Json.JsonSerializer.SerializeToNode(run.UserLedger.Entries.Select(SampleCall.From).ToList(), OrchestraJson.Compact),
            ["messages"] = new JsonArray(run.Messages.Select(m => (JsonNode?)m.ToJson()).ToArray()),
            ["error"] = run.Error,
        };
        var sample = new EvalSample(runId, item.SampleId)
        {
            TaskId = run.Task.Id,
            // Unknown is not 0: without a judge, a task whose basis needs NL assertions graded is counted apart.
            Correct = verdict == RewardVerdict.NotEvaluated ? null : verdict == RewardVerdict.Passed,
            Reward = verdict == RewardVerdict.NotEvaluated ? null : run.Reward?.Reward ?? 0,
            VerdictSource = verdict == RewardVerdict.NotEvaluated ? EvalSample.NotEvaluated : "tau2",
            CostUsd = run.AgentLedger.CostUsd,
            ToolSeconds = run.AgentLedger.ToolLatencySeconds,
            Turns = run.Messages.Count(m => m.Role == Tau2Roles.Assistant),
            StopReason = run.TerminationReason,
            CallsJson = SampleCall.ToJson(run.AgentLedger.Entries),
            TrajectoryJson = trajectory.ToJsonString(OrchestraJson.Compact),
        };
        return run.TerminationReason == TerminationReasons.InfrastructureError
            ? sample with { Status = SampleStatus.Failed, Correct = null, Reward = null, Error = run.Error ?? "infrastructure error" }
            : sample;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
