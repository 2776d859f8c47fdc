using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// Shape of the small policy's features; saved with the weights so a file is read with the features it was trained on.
/// </summary>
/// <param name="ProblemBuckets">Hash buckets for the problem's word n-grams (plain and conjoined with the episode stage).</param>
/// <param name="MaxNgram">Longest word n-gram of the problem that is hashed.</param>
/// <param name="DescriptionBuckets">Hash buckets for the words of an alias's capability description.</param>
/// <param name="HashSeed">Seed of the n-gram hash; changing it changes every bucket.</param>
public sealed record FeatureConfig(int ProblemBuckets = 256, int MaxNgram = 2, int DescriptionBuckets = 32, ulong HashSeed = 0x5EED_0F_0EC)
{
    public static readonly FeatureConfig Default = new();

    /// <summary>Observation features before the hashed problem block (see <see cref="PolicyFeatures"/>).</summary>
    public const int ObservationFixed = 13;

    /// <summary>Action features before the hashed description block (see <see cref="PolicyFeatures"/>).</summary>
    public const int ActionFixed = 10;

    public int ObservationSize => ObservationFixed + ProblemBuckets;
    public int ActionSize => ActionFixed + DescriptionBuckets;
    public int WeightCount => ObservationSize * ActionSize;

    /// <summary>Throws a <see cref="UserError"/> naming <paramref name="where"/> when a size is out of range.</summary>
    public void Validate(string where)
    {
        if (ProblemBuckets is < 1 or > 1 << 16) throw new UserError($"{where}: problem_buckets must be between 1 and 65536, found {ProblemBuckets}.");
        if (MaxNgram is < 1 or > 4) throw new UserError($"{where}: max_ngram must be between 1 and 4, found {MaxNgram}.");
        if (DescriptionBuckets is < 1 or > 1 << 12) throw new UserError($"{where}: description_buckets must be between 1 and 4096, found {DescriptionBuckets}.");
    }
}
