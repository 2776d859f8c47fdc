using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2.Evaluation;

public sealed record DbCheck(bool DbMatch, double DbReward, bool AgentDbMatch = true, bool UserDbMatch = true);

/// <summary>An env assertion's outcome; <see cref="Error"/> when the function raised (upstream would crash; we record it as unmet).</summary>
public sealed record EnvAssertionCheck(EnvAssertion EnvAssertion, bool Met, double Reward, string? Error = null);

public sealed record ActionCheck(TaskAction Action, bool ActionMatch, double ActionReward, ToolType? ToolType);

public sealed record CommunicateCheck(string Info, bool Met, string Justification);

public sealed record NlAssertionCheck(string NlAssertion, bool Met, string Justification);

/// <summary>Why NL assertions were not graded: no judge configured.</summary>
public sealed record NotEvaluated(RewardType Component, string Reason);

/// <summary>What an evaluation says of a trajectory, when NL assertions may have had no judge.</summary>
public enum RewardVerdict { Passed, Failed, NotEvaluated }

/// <summary>
/// The evaluation of one trajectory, in upstream's RewardInfo shape, plus what we could not evaluate (NL assertions
/// without a judge) and the replayed mutating calls whose results differed from the recorded ones.
/// </summary>
public sealed record RewardInfo
{
    /// <summary>The final reward, or null when a basis component could not be evaluated (see <see cref="NotEvaluated"/>).</summary>
    public double? Reward { get; init; }
    /// <summary>Product over the basis components that were evaluated (those needing no LLM, without a judge).</summary>
    public double RewardOfEvaluated { get; init; }
    public DbCheck? DbCheck { get; init; }
    public IReadOnlyList<EnvAssertionCheck>? EnvAssertions { get; init; }
    public IReadOnlyList<ActionCheck>? ActionChecks { get; init; }
    public IReadOnlyList<CommunicateCheck>? CommunicateChecks { get; init; }
    public IReadOnlyList<NlAssertionCheck>? NlAssertions { get; init; }
    public IReadOnlyList<RewardType>? RewardBasis { get; init; }
    public IReadOnlyDictionary<RewardType, double>? RewardBreakdown { get; init; }
    public IReadOnlyList<NotEvaluated> NotEvaluated { get; init; } = [];
    public IReadOnlyList<ReplayMismatch> ReplayMismatches { get; init; } = [];
    public string? Note { get; init; }

    public static bool IsSuccess(double reward) => Math.Abs(reward - 1) <= 1e-6;

    /// <summary>
    /// The one rule for a reward that may be unknown (check-gold and the evaluation harness count by it): failed when an
    /// evaluated component failed (grading the rest could not raise the product), not evaluated when every evaluated
    /// component passed but the basis needs one that could not be graded (NL assertions without a judge), else passed.
    /// </summary>
    public RewardVerdict Verdict =>
        RewardOfEvaluated < 1 - 1e-6 ? RewardVerdict.Failed : NotEvaluated.Count > 0 ? RewardVerdict.NotEvaluated : RewardVerdict.Passed;

    /// <summary>Upstream's reward_info JSON, with <c>not_evaluated</c> and <c>replay_mismatches</c> added.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["reward"] = Reward,
            ["db_check"] = DbCheck is null ? null : new JsonObject { ["db_match"] = DbCheck.DbMatch, ["db_reward"] = DbCheck.DbReward },
            ["env_assertions"] = EnvAssertions is null ? null : new JsonArray(EnvAssertions.Select(e => (JsonNode?)new JsonObject
            {
                ["env_assertion"] = e.EnvAssertion.ToJson(),
                ["met"] = e.Met,
                ["reward"] = e.Reward,
                ["error"] = e.Error,
            }).ToArray()),
            ["action_checks"] = ActionChecks is null ? null : new JsonArray(ActionChecks.Select(a => (JsonNode?)new JsonObject
            {
                ["action"] = a.Action.ToJson(),
                ["action_match"] = a.ActionMatch,
                ["action_reward"] = a.ActionReward,
                ["tool_type"] = a.ToolType?.ToString().ToLowerInvariant(),
            }).ToArray()),
            ["nl_assertions"] = NlAssertions is null ? null : new JsonArray(NlAssertions.Select(n => (JsonNode?)new JsonObject
            {
                ["nl_assertion"] = n.NlAssertion,
                ["met"] = n.Met,
                ["justification"] = n.Justification,
            }).ToArray()),
            ["communicate_checks"] = CommunicateChecks is null ? null : new JsonArray(CommunicateChecks.Select(c => (JsonNode?)new JsonObject
            {
                ["info"] = c.Info,
                ["met"] = c.Met,
                ["justification"] = c.Justification,
            }).ToArray()),
            ["reward_basis"] = RewardBasis is null ? null : new JsonArray(RewardBasis.Select(b => (JsonNode?)b.ToString()).ToArray()),
            ["reward_breakdown"] = RewardBreakdown is null ? null : new JsonObject(RewardBreakdown.Select(kv => KeyValuePair.Create(kv.Key.ToString(), (JsonNode?)kv.Value))),
            ["not_evaluated"] = new JsonArray(NotEvaluated.Select(n => (JsonNode?)new JsonObject { ["component"] = n.Component.ToString(), ["reason"] = n.Reason }).ToArray()),
            ["replay_mismatches"] = new JsonArray(ReplayMismatches.Select(m => (JsonNode?)new JsonObject
            {
                ["tool_call"] = m.Call.ToJson(),
                ["recorded"] = m.Recorded,
                ["replayed"] = m.Replayed,
            }).ToArray()),
            ["info"] = Note is null ? null : new JsonObject { ["note"] = Note },
        };
        return o;
    }
}
