using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;
using ToolOrchestra.Synthesis.Verification;

namespace ToolOrchestra.Synthesis.Output;

/// <summary>
/// A kept task in tau2's task format (upstream field names). The evaluator-only <c>description</c> also records the
/// goal, the measured difficulty and the hash of the database after the gold actions (the expected final state).
/// </summary>
public static class SynthesizedTask
{
    public static JsonObject ToJson(string domain, int number, Verdict verdict, string backend)
    {
        var t = verdict.Task;
        var id = $"{domain}_{number.ToString(CultureInfo.InvariantCulture)}";
        return new JsonObject
        {
            ["id"] = id,
            ["description"] = new JsonObject
            {
                ["purpose"] = $"Synthesized '{t.Goal}' task ({backend} backend), verified by execution.",
                ["relevant_policies"] = null,
                ["notes"] = $"difficulty: {verdict.Difficulty!.Actions} actions, {verdict.Difficulty.DistinctTools} tools, {verdict.Difficulty.ReadsBeforeFirstWrite} reads before the first write; evolved {t.EvolveRound} time(s).",
                ["goal"] = t.Goal,
                ["evolve_round"] = t.EvolveRound,
                ["difficulty"] = verdict.Difficulty.ToJson(),
                ["final_db_hash"] = verdict.FinalDbHash,
            },
            ["user_scenario"] = new JsonObject
            {
                ["persona"] = null,
                ["instructions"] = new JsonObject
                {
                    ["domain"] = domain,
                    ["reason_for_call"] = t.ReasonForCall,
                    ["known_info"] = t.KnownInfo,
                    ["unknown_info"] = null,
                    ["task_instructions"] = t.TaskInstructions,
                },
            },
            ["initial_state"] = null,
            ["evaluation_criteria"] = new JsonObject
            {
                ["actions"] = new JsonArray(t.Actions.Select((a, i) => (JsonNode?)new JsonObject
                {
                    ["action_id"] = $"{id}_{i.ToString(CultureInfo.InvariantCulture)}",
                    ["requestor"] = "assistant",
                    ["name"] = a.Name,
                    ["arguments"] = Py.Clone(a.Arguments),
                    ["info"] = null,
                    ["compare_args"] = null,
                }).ToArray()),
                ["communicate_info"] = new JsonArray(t.CommunicateInfo.Select(c => (JsonNode?)c).ToArray()),
                ["nl_assertions"] = new JsonArray(),
                ["reward_basis"] = new JsonArray("DB", "COMMUNICATE"),
            },
        };
    }
}
