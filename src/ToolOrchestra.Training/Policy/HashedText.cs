using ToolOrchestra.Core.Text;
using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// The hashes of texts the policy reads over and over: a task's problem every turn of every rollout, every alias's
/// description at every decision. Splitting and hashing them was a fifth of a training decision, so each is done once
/// per (text, feature config) and reused; the cached values are the very numbers a fresh computation gives.
/// Past <see cref="Capacity"/> texts new ones are hashed but not stored, so a long-lived process stays bounded.
/// </summary>
internal static class HashedText
{
    public const int Capacity = 16_384;

    private static readonly ConcurrentDictionary<(string Text, FeatureConfig Config), ulong[]> Grams = new();
    private static readonly ConcurrentDictionary<(string Text, FeatureConfig Config), double[]> Descriptions = new();

    /// <summary>The problem's word n-gram hashes (n = 1..MaxNgram at each word), in the order the features add them.</summary>
    public static ulong[] ProblemGrams(string problem, FeatureConfig config) =>
        Grams.TryGetValue((problem, config), out var grams) ? grams : Remember(Grams, (problem, config), ComputeGrams(problem, config));

    /// <summary>The L2-normalised hashed-words block of an action description (<see cref="FeatureConfig.DescriptionBuckets"/> long).</summary>
    public static double[] DescriptionBlock(string description, FeatureConfig config) =>
        Descriptions.TryGetValue((description, config), out var block) ? block : Remember(Descriptions, (description, config), ComputeDescription(description, config));

    private static T Remember<T>(ConcurrentDictionary<(string, FeatureConfig), T> cache, (string, FeatureConfig) key, T value) =>
        cache.Count < Capacity ? cache.GetOrAdd(key, value) : value;

    private static ulong[] ComputeGrams(string problem, FeatureConfig config)
    {
        var words = FeatureHashing.Words(problem);
        var grams = new List<ulong>(words.Count * config.MaxNgram);
        for (var i = 0; i < words.Count; i++)
        {
            var h = 0UL;
            for (var n = 1; n <= config.MaxNgram && i + n <= words.Count; n++)
            {
                var w = FeatureHashing.Hash(words[i + n - 1], config.HashSeed);
                h = n == 1 ? w : FeatureHashing.Combine(h, w);
                grams.Add(FeatureHashing.Combine(h, (ulong)n));
            }
        }
        return [.. grams];
    }

    private static double[] ComputeDescription(string description, FeatureConfig config)
    {
        var block = new double[config.DescriptionBuckets];
        foreach (var word in FeatureHashing.Words(description))
            FeatureHashing.Add(block, FeatureHashing.Hash("desc:" + word, config.HashSeed));
        var norm = TensorPrimitives.Norm<double>(block);
        if (norm > 0) TensorPrimitives.Multiply(block, 1 / norm, block);
        return block;
    }
}
