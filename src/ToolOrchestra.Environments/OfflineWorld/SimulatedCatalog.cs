using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// The offline world's catalog: the reference's alias mapping (§2: search-1 → GPT-5, answer-math-2 → Qwen2.5-Math-7B,
/// …) onto the simulated experts, with their calibrated prices and the reference's alias latencies, and a simulated
/// Qwen3-8B as the orchestrator model (a heuristic, see <see cref="HeuristicOrchestrator"/>). Every model points at
/// one endpoint, <c>orchestra sim serve</c>; <c>examples/catalog.sim.json</c> is this catalog for port
/// <see cref="DefaultPort"/>. The demo uses the same catalog in-process.
/// </summary>
public static class SimulatedCatalog
{
    public const int DefaultPort = 1410;
    public const string OrchestratorModel = "qwen3-8b";

    public static string DefaultEndpoint => $"http://127.0.0.1:{DefaultPort}/v1";

    /// <summary>The catalog as the JSON a user would write (catalog schema), for the given endpoint.</summary>
    public static string Json(string? endpoint = null, IReadOnlyList<ExpertProfile>? profiles = null)
    {
        endpoint ??= DefaultEndpoint;
        profiles ??= ExpertCalibration.Profiles;
        var models = new JsonObject();
        foreach (var p in profiles)
            models[p.ModelId] = new JsonObject
            {
                ["endpoint"] = endpoint,
                ["name"] = p.ProviderName,
                ["price"] = new JsonObject { ["input_per_million"] = p.InputPricePerMillion, ["output_per_million"] = p.OutputPricePerMillion },
                ["tags"] = new JsonArray(p.OpenWeights ? ["local", "open-weights", "simulated"] : new JsonNode[] { "proprietary", "simulated" }),
            };
        var aliases = new JsonObject();
        foreach (var (alias, model, _, seconds) in ExpertCalibration.ReferenceLatencies)
            aliases[alias] = new JsonObject { ["model"] = model, ["latency_s"] = seconds };
        var root = new JsonObject
        {
            ["$schema"] = "../schemas/catalog.schema.json",
            ["orchestrator"] = new JsonObject { ["model"] = OrchestratorModel, ["temperature"] = 1.0, ["max_output_tokens"] = 12000 },
            ["models"] = models,
            ["aliases"] = aliases,
            ["tool_prices"] = new JsonObject
            {
                ["code_per_second"] = 0.0000083m, ["web_search_per_call"] = 0.01m, ["web_extract_per_doc"] = 0.002m, ["local_search_per_call"] = 0m,
            },
            ["limits"] = new JsonObject { ["max_turns"] = 12, ["max_errors"] = 5, ["request_timeout_s"] = 60, ["max_retries"] = 1 },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The catalog itself, parsed by the same loader as a user's file.</summary>
    public static Catalog Create(string? endpoint = null, IReadOnlyList<ExpertProfile>? profiles = null) =>
        Variant(_ => { }, endpoint, profiles);

    /// <summary>
    /// A variant of the catalog: its JSON edited by <paramref name="edit"/> (e.g. an alias pointed at another model)
    /// and then parsed by the same loader as a user's file, so a variant that breaks the schema fails the same way.
    /// </summary>
    public static Catalog Variant(Action<JsonObject> edit, string? endpoint = null, IReadOnlyList<ExpertProfile>? profiles = null)
    {
        var root = JsonNode.Parse(Json(endpoint, profiles))!.AsObject();
        edit(root);
        using var doc = JsonDocument.Parse(root.ToJsonString());
        return CatalogLoader.Parse(new JsonFields("(simulated catalog)", "$", doc.RootElement.Clone()));
    }
}
