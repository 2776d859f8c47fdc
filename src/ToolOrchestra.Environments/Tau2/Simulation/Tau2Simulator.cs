using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>What one simulation produced: the conversation, why it ended, its reward and the two sides' ledgers.</summary>
public sealed record Tau2SimulationRun(
    string Id,
    Tau2Task Task,
    int Trial,
    long Seed,
    IReadOnlyList<Tau2Message> Messages,
    string TerminationReason,
    RewardInfo? Reward,
    Ledger AgentLedger,
    Ledger UserLedger,
    DateTimeOffset Start,
    double DurationSeconds,
    string? Error = null);

/// <summary>
/// Runs one half-duplex tau2 conversation as upstream's orchestrator does: user, agent and environment take turns
/// (one hop per step); every tool call of a message is executed in order; the user's stop tokens end it; max steps
/// and max tool errors stop it; then the task is scored with the same evaluator as saved trajectories.
/// </summary>
public sealed class Tau2Simulator(Tau2Domain domain, ITau2Agent agent, Func<Tau2Task, Tau2UserSimulator> userFor, Tau2Evaluator evaluator,
    int maxSteps = 200, int maxErrors = 10, TimeProvider? time = null)
{
    private enum Hop { User, Agent, Env }
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<Tau2SimulationRun> RunAsync(Tau2Task task, int trial, long seed, CancellationToken ct)
    {
        var start = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var env = domain.CreateEnvironment();
        var history = task.InitialState?.MessageHistory ?? [];
        env.SetState(task.InitialState, history);
        var user = userFor(task);
        var id = Guid.NewGuid().ToString();
        var agentRun = agent.Start(task, id);
        var agentLedger = agentRun.Ledger;
        var userLedger = new Ledger();
        var messages = new List<Tau2Message>();
        void Add(Tau2Message m) => messages.Add(m with { TurnIdx = messages.Count });

        Hop next;
        if (history.Count == 0)
        {
            Add(Tau2Message.Assistant(Tau2Prompts.Greeting));
            next = Hop.User;
        }
        else
        {
            foreach (var m in history) Add(m);
            next = Resume(history[^1]);
        }

        string? termination = null;
        int steps = 0, errors = 0;
        try
        {
        while (termination is null)
        {
            ct.ThrowIfCancellationRequested();
            switch (next)
            {
                case Hop.User:
                {
                    var reply = await user.RespondAsync(messages, userLedger, steps, seed, ct).ConfigureAwait(false);
                    Add(reply);
                    if (Tau2Prompts.IsStop(reply.Content)) termination = TerminationReasons.UserStop;
                    next = reply.IsToolCall ? Hop.Env : Hop.Agent;
                    break;
                }
                case Hop.Agent:
                {
                    var reply = await agentRun.RespondAsync(messages, steps, seed, ct).ConfigureAwait(false);
                    Add(reply);
                    next = reply.IsToolCall ? Hop.Env : Hop.User;
                    break;
                }
                default:
                {
                    var caller = messages[^1];
                    foreach (var call in caller.ToolCalls!)
                    {
                        var result = env.Execute(call with { Requestor = caller.Role });
                        Add(result);
                        if (result.Error == true) errors++;
                    }
                    next = caller.Role == Tau2Roles.User ? Hop.User : Hop.Agent;
                    break;
                }
            }
            steps++;
            env.SyncTools();
            if (termination is null && next != Hop.Env)
            {
                if (steps >= maxSteps) termination = TerminationReasons.MaxSteps;
                else if (errors >= maxErrors) termination = TerminationReasons.TooManyErrors;
            }
        }
        }
        finally
        {
            await agentRun.FinishAsync(termination ?? TerminationReasons.InfrastructureError).ConfigureAwait(false);
        }

        var reward = await evaluator.EvaluateAsync(task, messages, termination, ct).ConfigureAwait(false);
        return new Tau2SimulationRun(id, task, trial, seed, messages, termination, reward, agentLedger, userLedger,
            start, _time.GetElapsedTime(started).TotalSeconds);
    }

    private static Hop Resume(Tau2Message last) => last.Role switch
    {
        Tau2Roles.Assistant => last.IsToolCall ? Hop.Env : Hop.User,
        Tau2Roles.User => last.IsToolCall ? Hop.Env : Hop.Agent,
        _ => last.Requestor == Tau2Roles.User ? Hop.User : Hop.Agent,
    };
}
