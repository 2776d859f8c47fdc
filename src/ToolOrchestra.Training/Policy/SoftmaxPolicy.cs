using System.Numerics.Tensors;
using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// The small learned orchestrator: a softmax over the QA action set with logit oᵀ W a (see <see cref="PolicyFeatures"/>).
/// Actions the hard constraints forbid are left out of the softmax, so their probability is exactly 0. Weights are
/// row-major [observation feature, action feature]. Not thread-safe for concurrent training; decisions only read.
/// </summary>
public sealed class SoftmaxPolicy
{
    public FeatureConfig Config { get; }

    /// <summary>The weights W, row-major with <see cref="FeatureConfig.ActionSize"/> columns.</summary>
    public double[] Weights { get; }

    public SoftmaxPolicy(FeatureConfig config, double[] weights)
    {
        config.Validate("policy features");
        if (weights.Length != config.WeightCount)
            throw new ArgumentException($"the feature config needs {config.WeightCount} weights, got {weights.Length}.", nameof(weights));
        Config = config;
        Weights = weights;
    }

    /// <summary>A fresh policy with small seeded Gaussian weights (std <paramref name="initScale"/>); same seed, same weights.</summary>
    public static SoftmaxPolicy Create(FeatureConfig? config = null, int seed = 0, double initScale = 0.01)
    {
        config ??= FeatureConfig.Default;
        var random = new Random(seed);
        var w = new double[config.WeightCount];
        for (var i = 0; i < w.Length; i++)
        {
            // Box–Muller from the seeded generator: reproducible, unlike Random.Shared.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            w[i] = initScale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return new SoftmaxPolicy(config, w);
    }

    public SoftmaxPolicy Clone() => new(Config, (double[])Weights.Clone());

    /// <summary>
    /// Chooses the next action: sampled with <paramref name="sampler"/> (training, temperature 1), or the most probable
    /// allowed action when <paramref name="sampler"/> is null (evaluation). <paramref name="allowed"/> null allows all.
    /// </summary>
    public PolicyStep Decide(PolicyObservation observation, IReadOnlyList<ActionDescriptor> actions, IReadOnlyList<bool>? allowed = null, Random? sampler = null)
    {
        if (actions.Count == 0) throw new UserError("the orchestrator was offered no action; the catalog declares no search-*, reasoner-* or answer-* alias.");
        if (allowed is not null && allowed.Count != actions.Count)
            throw new ArgumentException($"mask has {allowed.Count} entries for {actions.Count} actions.", nameof(allowed));

        int o = Config.ObservationSize, d = Config.ActionSize, n = actions.Count;
        var obs = new double[o];
        PolicyFeatures.Observation(observation, Config, obs);
        var features = new double[n * d];
        for (var k = 0; k < n; k++)
            PolicyFeatures.Action(actions[k], observation, Config, features.AsSpan(k * d, d));
        var mask = new bool[n];
        for (var k = 0; k < n; k++) mask[k] = allowed?[k] ?? true;
        if (!mask.Contains(true))
            throw new UserError($"the hard constraints leave no action to choose among {string.Join(", ", actions.Select(a => a.Alias))}; relax only_tags or exclude_aliases in the preferences.");

        var probs = new double[n];
        Probabilities(obs, features, mask, probs);
        var chosen = sampler is null ? ArgMax(probs, mask) : Sample(probs, mask, sampler.NextDouble());
        return new PolicyStep(obs, features, mask, actions, chosen, probs);
    }

    /// <summary>Action probabilities of a recorded step under the current weights (masked actions 0).</summary>
    public void Probabilities(PolicyStep step, Span<double> probs) => Probabilities(step.Observation, step.ActionFeatures, step.Allowed, probs);

    public void Probabilities(ReadOnlySpan<double> observation, ReadOnlySpan<double> actionFeatures, ReadOnlySpan<bool> allowed, Span<double> probs)
    {
        var n = allowed.Length;
        Span<double> logits = n <= 64 ? stackalloc double[n] : new double[n];
        Logits(observation, actionFeatures, logits);
        MaskedSoftmax(logits, allowed, probs);
    }

    /// <summary>logit_k = (Wᵀo)·a_k; Wᵀo is built from the non-zero rows only (the hashed block is sparse).</summary>
    public void Logits(ReadOnlySpan<double> observation, ReadOnlySpan<double> actionFeatures, Span<double> logits)
    {
        var d = Config.ActionSize;
        Span<double> v = d <= 256 ? stackalloc double[d] : new double[d];
        v.Clear();
        var w = Weights.AsSpan();
        for (var i = 0; i < observation.Length; i++)
        {
            var oi = observation[i];
            if (oi != 0) TensorPrimitives.MultiplyAdd(w.Slice(i * d, d), oi, v, v);
        }
        for (var k = 0; k < logits.Length; k++)
            logits[k] = TensorPrimitives.Dot<double>(v, actionFeatures.Slice(k * d, d));
    }

    /// <summary>
    /// Adds scale · ∂ log π(chosen)/∂W to <paramref name="gradient"/>: o ⊗ (a_chosen − Σ_k π_k a_k).
    /// <paramref name="probs"/> are the current probabilities of the step.
    /// </summary>
    public void AccumulateLogProbGradient(PolicyStep step, ReadOnlySpan<double> probs, double scale, Span<double> gradient)
    {
        var d = Config.ActionSize;
        Span<double> delta = d <= 256 ? stackalloc double[d] : new double[d];
        step.ActionFeatures.AsSpan(step.Chosen * d, d).CopyTo(delta);
        for (var k = 0; k < probs.Length; k++)
            if (probs[k] != 0) TensorPrimitives.MultiplyAdd(step.ActionFeatures.AsSpan(k * d, d), -probs[k], delta, delta);
        for (var i = 0; i < step.Observation.Length; i++)
        {
            var oi = step.Observation[i];
            if (oi != 0) TensorPrimitives.MultiplyAdd(delta, scale * oi, gradient.Slice(i * d, d), gradient.Slice(i * d, d));
        }
    }

    private static void MaskedSoftmax(ReadOnlySpan<double> logits, ReadOnlySpan<bool> allowed, Span<double> probs)
    {
        var n = logits.Length;
        Span<double> kept = n <= 64 ? stackalloc double[n] : new double[n];
        var m = 0;
        for (var k = 0; k < n; k++) if (allowed[k]) kept[m++] = logits[k];
        var live = kept[..m];
        // Shift by the max so exp never overflows, then the library softmax.
        TensorPrimitives.Subtract(live, TensorPrimitives.Max<double>(live), live);
        TensorPrimitives.SoftMax<double>(live, live);
        m = 0;
        for (var k = 0; k < n; k++) probs[k] = allowed[k] ? live[m++] : 0.0;
    }

    private static int ArgMax(ReadOnlySpan<double> probs, ReadOnlySpan<bool> allowed)
    {
        var best = -1;
        for (var k = 0; k < probs.Length; k++)
            if (allowed[k] && (best < 0 || probs[k] > probs[best])) best = k;
        return best;
    }

    private static int Sample(ReadOnlySpan<double> probs, ReadOnlySpan<bool> allowed, double u)
    {
        var cumulative = 0.0;
        var last = -1;
        for (var k = 0; k < probs.Length; k++)
        {
            if (!allowed[k] || probs[k] == 0) continue;
            last = k;
            cumulative += probs[k];
            if (u < cumulative) return k;
        }
        return last; // rounding left u above the final sum
    }
}
