using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Results;

/// <summary>One simulation of an upstream results file: its messages and what upstream's evaluator recorded.</summary>
public sealed record Tau2Simulation(
    string Id,
    string TaskId,
    int Trial,
    string TerminationReason,
    double? AgentCost,
    double? UserCost,
    double? Duration,
    JsonObject? RecordedRewardInfo,
    IReadOnlyList<Tau2Message> Messages)
{
    /// <summary>The recorded reward (0 when the file has none).</summary>
    public double RecordedReward => RecordedRewardInfo?["reward"] is { } r && Py.IsNumber(r) ? Py.Num(r) : 0;

    public int ToolCallCount => Messages.Where(m => m.ToolCalls is not null).Sum(m => m.ToolCalls!.Count);
}

/// <summary>
/// An upstream tau2 results file (<c>{timestamp, info, tasks, simulations}</c>), read unchanged: the tasks embedded in
/// it (missing <c>requestor</c> = assistant, missing <c>reward_basis</c> = DB + COMMUNICATE) and every simulation.
/// </summary>
public sealed class Tau2Results
{
    private Tau2Results(string file, string domain, JsonObject info, IReadOnlyList<Tau2Task> tasks, IReadOnlyList<Tau2Simulation> simulations)
    {
        File = file;
        Domain = domain;
        Info = info;
        Tasks = tasks;
        Simulations = simulations;
    }

    public string File { get; }
    /// <summary><c>info.environment_info.domain_name</c>.</summary>
    public string Domain { get; }
    public JsonObject Info { get; }
    public IReadOnlyList<Tau2Task> Tasks { get; }
    public IReadOnlyList<Tau2Simulation> Simulations { get; }

    public int? NumTrials => Info["num_trials"] is { } n && Py.IsNumber(n) ? (int)Py.Num(n) : null;

    public Tau2Task? FindTask(string id) => Tasks.FirstOrDefault(t => t.Id == id);

    public static Tau2Results Read(string file)
    {
        var root = JsonReader.ParseFile(file);
        var r = new JsonReader(file, "$", root);
        if (root is not JsonObject) throw r.Error("expected a tau2 results object with \"info\", \"tasks\" and \"simulations\".");
        var info = r.Required("info").Object();
        var domain = r.Required("info").Required("environment_info").Required("domain_name").String();
        var tasks = r.Required("tasks").Items().Select(Tau2Task.Read).ToList();
        var simulations = new List<Tau2Simulation>();
        foreach (var s in r.Required("simulations").Items())
        {
            var taskId = Py.ToStr(s.Object()["task_id"] ?? throw s.Error("missing required field 'task_id'."));
            var sim = s.ForTask(taskId);
            simulations.Add(new Tau2Simulation(
                sim.Required("id").String(),
                taskId,
                sim.Optional("trial") is { } t ? (int)t.Number() : 0,
                sim.Required("termination_reason").String(),
                Number(sim.Optional("agent_cost")),
                Number(sim.Optional("user_cost")),
                Number(sim.Optional("duration")),
                sim.Optional("reward_info")?.Object(),
                Tau2Message.ReadList(sim.Required("messages"))));
        }
        if (simulations.Count == 0 && tasks.Count == 0) throw new UserError($"{file}: no tasks and no simulations.");
        return new Tau2Results(file, domain, info, tasks, simulations);
    }

    private static double? Number(JsonReader? r) => r is { } v && Py.IsNumber(v.Node) ? v.Number() : null;
}
