using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2.Evaluation;

/// <summary>Upstream's termination reasons (results files spell them in lower case).</summary>
public static class TerminationReasons
{
    public const string UserStop = "user_stop";
    public const string AgentStop = "agent_stop";
    public const string MaxSteps = "max_steps";
    public const string TooManyErrors = "too_many_errors";
    public const string InfrastructureError = "infrastructure_error";

    public static bool IsNormal(string reason) => reason is UserStop or AgentStop;
}

/// <summary>
/// Scores a trajectory as upstream's evaluator does (EvaluationType.ALL): environment (DB match of the replayed
/// trajectory against the gold actions replayed on a fresh environment, and env assertions), actions, communicate
/// info and NL assertions, multiplied over the task's <c>reward_basis</c>. Runs that did not end with a user or agent
/// stop score 0 without checks. NL assertions need an <see cref="INlAssertionJudge"/>; without one they are reported as
/// not evaluated and the reward is unknown when the basis needs them.
/// </summary>
public sealed class Tau2Evaluator(Tau2Domain domain, INlAssertionJudge? judge = null)
{
    public Tau2Domain Domain => domain;

    public async Task<RewardInfo> EvaluateAsync(Tau2Task task, IReadOnlyList<Tau2Message> trajectory, string terminationReason = TerminationReasons.UserStop, CancellationToken ct = default)
    {
        if (!TerminationReasons.IsNormal(terminationReason))
            return new RewardInfo { Reward = 0, RewardOfEvaluated = 0, Note = $"Simulation terminated prematurely. Termination reason: {terminationReason}" };
        var criteria = task.EvaluationCriteria;
        if (criteria is null) return new RewardInfo { Reward = 1, RewardOfEvaluated = 1, Note = "No evaluation criteria" };

        var env = EvaluateEnvironment(task, criteria, trajectory);
        var actions = EvaluateActions(criteria, trajectory);
        var communicate = EvaluateCommunicate(criteria, trajectory);

        var basis = criteria.RewardBasis;
        IReadOnlyList<NlAssertionCheck>? nl = null;
        double? nlReward = null;
        var notEvaluated = new List<NotEvaluated>();
        if (basis.Contains(RewardType.NL_ASSERTION))
        {
            if (criteria.NlAssertions is not { Count: > 0 }) nlReward = 1;
            else if (judge is not null)
            {
                nl = await judge.JudgeAsync(trajectory, criteria.NlAssertions, ct);
                nlReward = nl.All(n => n.Met) ? 1 : 0;
            }
            else notEvaluated.Add(new NotEvaluated(RewardType.NL_ASSERTION,
                $"{criteria.NlAssertions.Count} NL assertion(s) need a judge model; none configured"));
        }

        var breakdown = new Dictionary<RewardType, double>();
        double evaluated = 1;
        if (basis.Contains(RewardType.DB) || basis.Contains(RewardType.ENV_ASSERTION))
        {
            if (env.Breakdown is not null)
                foreach (var (k, v) in env.Breakdown) breakdown[k] = v;
            evaluated *= env.Reward;
        }
        if (basis.Contains(RewardType.ACTION))
        {
            breakdown[RewardType.ACTION] = actions.Reward;
            evaluated *= actions.Reward;
        }
        if (basis.Contains(RewardType.NL_ASSERTION) && nlReward is { } nr)
        {
            breakdown[RewardType.NL_ASSERTION] = nr;
            evaluated *= nr;
        }
        if (basis.Contains(RewardType.COMMUNICATE))
        {
            breakdown[RewardType.COMMUNICATE] = communicate.Reward;
            evaluated *= communicate.Reward;
        }

        return new RewardInfo
        {
            Reward = notEvaluated.Count == 0 ? evaluated : evaluated == 0 ? 0 : null,
            RewardOfEvaluated = evaluated,
            DbCheck = env.DbCheck,
            EnvAssertions = env.Assertions,
            ActionChecks = actions.Checks,
            CommunicateChecks = communicate.Checks,
            NlAssertions = nl,
            RewardBasis = basis,
            RewardBreakdown = breakdown,
            NotEvaluated = notEvaluated,
            ReplayMismatches = env.Mismatches,
            Note = env.Note,
        };
    }

    private sealed record EnvResult(double Reward, DbCheck? DbCheck, IReadOnlyList<EnvAssertionCheck>? Assertions,
        IReadOnlyDictionary<RewardType, double>? Breakdown, IReadOnlyList<ReplayMismatch> Mismatches, string? Note);

    private EnvResult EvaluateEnvironment(Tau2Task task, EvaluationCriteria criteria, IReadOnlyList<Tau2Message> trajectory)
    {
        if (criteria.Actions is null && criteria.EnvAssertions is null)
            return new EnvResult(1, new DbCheck(true, 1), null, null, [], "No expected actions or env assertions");

        var mismatches = new List<ReplayMismatch>();
        var predicted = domain.CreateEnvironment();
        predicted.SetState(task.InitialState, trajectory, mismatches);

        var gold = domain.CreateEnvironment();
        gold.SetState(task.InitialState, task.InitialState?.MessageHistory ?? []);
        foreach (var action in criteria.Actions ?? [])
        {
            try
            {
                gold.MakeToolCall(action.Name, action.Arguments, action.Requestor);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // upstream logs and ignores a failing gold action
            }
        }

        var (agentMatch, userMatch) = predicted.CompareDatabases(gold);
        var dbMatch = agentMatch && userMatch;
        var dbCheck = new DbCheck(dbMatch, dbMatch ? 1 : 0, agentMatch, userMatch);

        var checks = new List<EnvAssertionCheck>();
        double assertionReward = 1;
        foreach (var assertion in criteria.EnvAssertions ?? [])
        {
            bool met;
            string? error = null;
            try
            {
                met = predicted.RunEnvAssertion(assertion);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                met = false;
                error = e.Message;
            }
            checks.Add(new EnvAssertionCheck(assertion, met, met ? 1 : 0, error));
            assertionReward *= met ? 1 : 0;
        }

        var breakdown = new Dictionary<RewardType, double>();
        double reward = 1;
        if (criteria.RewardBasis.Contains(RewardType.DB))
        {
            breakdown[RewardType.DB] = dbCheck.DbReward;
            reward *= dbCheck.DbReward;
        }
        if (criteria.RewardBasis.Contains(RewardType.ENV_ASSERTION))
        {
            breakdown[RewardType.ENV_ASSERTION] = assertionReward;
            reward *= assertionReward;
        }
        return new EnvResult(reward, dbCheck, checks, breakdown, mismatches, null);
    }

    private sealed record ActionResult(double Reward, IReadOnlyList<ActionCheck>? Checks);

    private ActionResult EvaluateActions(EvaluationCriteria criteria, IReadOnlyList<Tau2Message> trajectory)
    {
        if (criteria.Actions is not { Count: > 0 } gold) return new ActionResult(1, null);
        var calls = trajectory
            .Where(m => m.Role is Tau2Roles.Assistant or Tau2Roles.User && m.ToolCalls is not null)
            .SelectMany(m => m.ToolCalls!).ToList();
        var probe = domain.CreateEnvironment();
        var checks = gold.Select(a =>
        {
            var match = calls.Any(a.Matches);
            return new ActionCheck(a, match, match ? 1 : 0, probe.ToolTypeOf(a.Name));
        }).ToList();
        return new ActionResult(checks.All(c => c.ActionMatch) ? 1 : 0, checks);
    }

    private sealed record CommunicateResult(double Reward, IReadOnlyList<CommunicateCheck>? Checks);

    /// <summary>
    /// upstream's CommunicateEvaluator: an item is met when its lower-cased text occurs in the lower-cased text of some
    /// assistant message with all commas removed.
    /// </summary>
    public static IReadOnlyList<CommunicateCheck> CheckCommunicate(IReadOnlyList<string> infos, IReadOnlyList<Tau2Message> trajectory)
    {
        var checks = new List<CommunicateCheck>();
        foreach (var info in infos)
        {
            var needle = info.ToLowerInvariant();
            var found = trajectory.FirstOrDefault(m => m.Role == Tau2Roles.Assistant && m.HasText
                && m.Content!.ToLowerInvariant().Replace(",", "").Contains(needle, StringComparison.Ordinal));
            checks.Add(found is not null
                ? new CommunicateCheck(info, true, $"Information '{info}' communicated in the message:\n '{found.Content}'")
                : new CommunicateCheck(info, false, $"Information '{info}' not communicated."));
        }
        return checks;
    }

    private static CommunicateResult EvaluateCommunicate(EvaluationCriteria criteria, IReadOnlyList<Tau2Message> trajectory)
    {
        if (criteria.CommunicateInfo is not { Count: > 0 } infos) return new CommunicateResult(1, null);
        var checks = CheckCommunicate(infos, trajectory);
        return new CommunicateResult(checks.All(c => c.Met) ? 1 : 0, checks);
    }
}
