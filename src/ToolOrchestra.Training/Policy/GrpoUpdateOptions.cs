namespace ToolOrchestra.Training.Policy;

/// <summary>
/// Settings of the small policy's GRPO update. Clip and KL shapes follow the reference (§6): clip-higher ratio bounds
/// 1−0.2 and 1+0.28, dual clip c = 10 for negative advantages, KL of type "mse" ½(log π − log π_ref)², gradient
/// clipping at norm 1. The learning rate is ours: the reference's 1e-6 is for an 8B-parameter LLM, not a few thousand
/// linear weights. KL is off by default (the reference's coefficient is <see cref="ReferenceKlCoefficient"/>).
/// </summary>
public sealed record GrpoUpdateOptions(
    double LearningRate = 0.02,
    double ClipLow = 0.2,
    double ClipHigh = 0.28,
    double DualClip = 10,
    double KlCoefficient = 0,
    double MaxGradNorm = 1.0,
    double WeightDecay = 0,
    int Epochs = 1,
    int MiniBatchSize = 0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double AdamEpsilon = 1e-8)
{
    public const double ReferenceKlCoefficient = 1e-4;

    public static readonly GrpoUpdateOptions Default = new();
}
