using System.Text.Json;
using System.Text.Json.Serialization;
using ToolOrchestra.Core;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tasks;

/// <summary>One row of a training's curve: a training step's batch, or a validation pass under one preference profile.</summary>
public sealed record CurvePoint(
    int Step,
    string Split,
    string Profile,
    double? Reward,
    double Accuracy,
    decimal DollarsPerTask,
    double SecondsPerTask,
    decimal PaidUsd);

/// <summary>
/// Everything a training needs to continue exactly where it stopped: the step reached, the weights, Adam's moments, the
/// real dollars spent and the curve so far, with the settings it was made under. Task order and every episode's
/// sampling follow from the seed and the step, so they are replayed, not stored. Written atomically (temporary file,
/// then rename) after every <see cref="TaskTrainingOptions.CheckpointEvery"/> steps: a kill at any moment leaves the
/// previous checkpoint whole. Doubles are written shortest-round-trip, so weights come back bit for bit.
/// </summary>
public sealed record TrainingCheckpoint(
    string Format,
    int Step,
    IReadOnlyDictionary<string, string> Settings,
    decimal PaidUsd,
    double[] Weights,
    int AdamSteps,
    double[] AdamM,
    double[] AdamV,
    IReadOnlyList<CurvePoint> Curve)
{
    public const string FormatName = "toolorchestra.training_checkpoint.v1";

    public static TrainingCheckpoint Of(int step, IReadOnlyDictionary<string, string> settings, decimal paidUsd, SoftmaxPolicy policy, AdamState adam, IReadOnlyList<CurvePoint> curve) =>
        new(FormatName, step, settings, paidUsd, (double[])policy.Weights.Clone(), adam.Steps, adam.M, adam.V, curve.ToList());

    public void Save(string path)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            JsonSerializer.Serialize(stream, this, CheckpointJsonContext.Default.TrainingCheckpoint);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The checkpoint at <paramref name="path"/>, or null when there is none.</summary>
    public static TrainingCheckpoint? Load(string path)
    {
        if (!File.Exists(path)) return null;
        TrainingCheckpoint? checkpoint;
        try
        {
            using var stream = File.OpenRead(path);
            checkpoint = JsonSerializer.Deserialize(stream, CheckpointJsonContext.Default.TrainingCheckpoint);
        }
        catch (JsonException e)
        {
            throw new UserError($"{path}: not a readable training checkpoint ({e.Message}); delete it to start over, or choose another --out.");
        }
        if (checkpoint is null || checkpoint.Format != FormatName)
            throw new UserError($"{path}: not a training checkpoint of this build (format '{checkpoint?.Format}'); delete it to start over, or choose another --out.");
        return checkpoint;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(TrainingCheckpoint))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
