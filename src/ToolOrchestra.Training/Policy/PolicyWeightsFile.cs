using System.Text.Json;
using System.Text.Json.Serialization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// The small policy's weights on disk: one JSON object with a format name and version, the feature configuration the
/// weights were trained with, their sizes, free-form training notes and the weights (row-major). Doubles are written
/// shortest-round-trip, so save → load gives the same weights bit for bit. A file of another format or version is a
/// <see cref="UserError"/> naming the file and the fix.
/// </summary>
public static class PolicyWeightsFile
{
    public const string Format = "toolorchestra.softmax_policy";
    public const int FormatVersion = 3; // 2: preference-mode features; 3: preferences as numbers (no binary mode)

    /// <summary>Writes the weights atomically (temporary file, then rename): an interrupted save leaves the old file intact.</summary>
    public static void Save(SoftmaxPolicy policy, string path, IReadOnlyDictionary<string, string>? training = null)
    {
        var c = policy.Config;
        var document = new PolicyWeightsDocument(
            Format, FormatVersion,
            "Weights of the small learned ToolOrchestra orchestrator: logit = o^T W a (see PolicyFeatures).",
            new PolicyFeaturesDocument(c.ProblemBuckets, c.MaxNgram, c.DescriptionBuckets, c.HashSeed),
            c.ObservationSize, c.ActionSize, training, policy.Weights);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = File.Create(temporary))
                JsonSerializer.Serialize(stream, document, PolicyJsonContext.Default.PolicyWeightsDocument);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static SoftmaxPolicy Load(string path) => LoadWithNotes(path).Policy;

    /// <summary>
    /// A note when the policy at <paramref name="path"/> was trained on another catalog's aliases (it records them),
    /// saying which are new and which are gone; null when they match or the file does not say. Not a refusal: the
    /// policy scores actions by their descriptions (tool, prices, latency, words), so it generalises to unseen aliases.
    /// </summary>
    public static string? CatalogNote(string path, Core.Catalog.Catalog catalog)
    {
        var (_, notes) = LoadWithNotes(path);
        if (!notes.TryGetValue("catalog_aliases", out var recorded)) return null;
        var trained = recorded.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var now = catalog.Aliases.Keys.ToHashSet(StringComparer.Ordinal);
        var added = now.Except(trained).Order(StringComparer.Ordinal).ToList();
        var gone = trained.Except(now).Order(StringComparer.Ordinal).ToList();
        if (added.Count + gone.Count == 0) return null;
        return $"note: {path} was trained on other aliases ({(added.Count > 0 ? $"new here: {string.Join(", ", added)}" : "")}{(added.Count > 0 && gone.Count > 0 ? "; " : "")}{(gone.Count > 0 ? $"not here: {string.Join(", ", gone)}" : "")}); "
            + "it scores every alias by its description (tool, prices, latency, words), so it still chooses among them, but retrain on this catalog for its best.";
    }

    public static (SoftmaxPolicy Policy, IReadOnlyDictionary<string, string> Training) LoadWithNotes(string path)
    {
        var root = JsonFields.Load(path).Object();
        var format = root.OptionalField("format")?.String();
        if (format != Format)
            throw root.Error($"not a small-policy weights file (format is {(format is null ? "missing" : $"'{format}'")}, expected '{Format}'); pass a file written by `orchestra train --out FILE`.");
        var version = root.Field("format_version").Int();
        if (version != FormatVersion)
            throw root.Field("format_version").Error($"weights format version {version} cannot be read by this build, which reads version {FormatVersion}; retrain with `orchestra train --out FILE` or use the build that wrote it.");

        var f = root.Field("features");
        var config = new FeatureConfig(
            f.Field("problem_buckets").Int(1), f.Field("max_ngram").Int(1), f.Field("description_buckets").Int(1),
            f.Field("hash_seed").Element.TryGetUInt64(out var seed) ? seed : throw f.Field("hash_seed").Error("expected an unsigned 64-bit integer."));
        config.Validate($"{path}: $.features");
        if (root.Field("observation_size").Int() != config.ObservationSize || root.Field("action_size").Int() != config.ActionSize)
            throw root.Error($"observation_size/action_size do not match the features ({config.ObservationSize}×{config.ActionSize}); the file is damaged, retrain.");

        var weightsField = root.Field("weights");
        if (weightsField.Element.ValueKind != JsonValueKind.Array) throw weightsField.Error("expected an array of numbers.");
        var count = weightsField.Element.GetArrayLength();
        if (count != config.WeightCount)
            throw weightsField.Error($"has {count} weights but the features need {config.WeightCount}; the file is damaged or truncated, retrain.");
        var weights = new double[count];
        var i = 0;
        foreach (var w in weightsField.Element.EnumerateArray())
        {
            if (w.ValueKind != JsonValueKind.Number || !w.TryGetDouble(out weights[i]) || !double.IsFinite(weights[i]))
                throw new UserError($"{path}: $.weights[{i}]: expected a finite number, found {w.GetRawText()}.");
            i++;
        }
        var notes = root.OptionalField("training")?.Properties().ToDictionary(p => p.Name, p => p.Value.Element.ToString())
            ?? new Dictionary<string, string>();
        return (new SoftmaxPolicy(config, weights), notes);
    }
}

internal sealed record PolicyFeaturesDocument(int ProblemBuckets, int MaxNgram, int DescriptionBuckets, ulong HashSeed);

internal sealed record PolicyWeightsDocument(
    string Format,
    int FormatVersion,
    string Description,
    PolicyFeaturesDocument Features,
    int ObservationSize,
    int ActionSize,
    IReadOnlyDictionary<string, string>? Training,
    double[] Weights);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyWeightsDocument))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext;
