using System.Text.Json.Nodes;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Demo;

/// <summary>A catalog the trained policy never saw, with what changed in it.</summary>
public sealed record CatalogVariant(string Name, string Change, Catalog Catalog);

/// <summary>
/// The trained policy on catalogs it was not trained on, without retraining, beside its accuracy on the training
/// catalog. <see cref="AccuracyRetained"/> is the variant's held-out accuracy over the training catalog's (the check:
/// at least 0.9).
/// </summary>
public sealed record GeneralisationRow(string Catalog, string Change, EvaluationRow Evaluation, double AccuracyRetained);

/// <summary>
/// Variants of the simulated catalog for the generalisation check: the policy scores actions by their descriptors
/// (tool kind, prices, latency, description words), not by name, so it should carry over to new experts and prices.
/// </summary>
public static class Generalisation
{
    /// <summary>The aliases re-pointed at the unseen profiles: the strongest generalist and the local answerer.</summary>
    public static readonly IReadOnlyList<(string Alias, string Model)> UnseenAliases =
    [
        ("answer-1", "claude-opus-4.1"),
        ("answer-4", "nemotron-super-49b"),
    ];

    /// <summary>The changed price table: proprietary models at half price, open-weights ones at double.</summary>
    public const decimal ProprietaryFactor = 0.5m, OpenWeightsFactor = 2m;

    public static IReadOnlyList<CatalogVariant> Variants() => [UnseenExperts(), ChangedPrices()];

    /// <summary>
    /// Two aliases pointed at the held-out profiles (claude-opus-4.1, nemotron-super-49b), with their prices and an
    /// alias latency from their own speed (answer-length output at their rate).
    /// </summary>
    public static CatalogVariant UnseenExperts()
    {
        var profiles = ExpertCalibration.Profiles.Concat(ExpertCalibration.Unseen).ToList();
        var catalog = SimulatedCatalog.Variant(root =>
        {
            var aliases = root["aliases"]!.AsObject();
            foreach (var (alias, model) in UnseenAliases)
            {
                var p = profiles.First(x => x.ModelId == model);
                aliases[alias] = new JsonObject { ["model"] = model, ["latency_s"] = Math.Round(p.LatencyFor(p.AnswerTokens), 1) };
            }
        }, profiles: profiles);
        return new CatalogVariant("unseen experts", string.Join(", ", UnseenAliases.Select(a => $"{a.Alias} → {a.Model}")), catalog);
    }

    /// <summary>The same experts under a changed price table (the simulated experts' skills and speed unchanged).</summary>
    public static CatalogVariant ChangedPrices()
    {
        var profiles = ExpertCalibration.Profiles
            .Select(p => p with
            {
                InputPricePerMillion = p.InputPricePerMillion * (p.OpenWeights ? OpenWeightsFactor : ProprietaryFactor),
                OutputPricePerMillion = p.OutputPricePerMillion * (p.OpenWeights ? OpenWeightsFactor : ProprietaryFactor),
            })
            .ToList();
        return new CatalogVariant("changed prices", $"proprietary prices ×{ProprietaryFactor}, open-weights prices ×{OpenWeightsFactor}",
            SimulatedCatalog.Create(profiles: profiles));
    }
}
