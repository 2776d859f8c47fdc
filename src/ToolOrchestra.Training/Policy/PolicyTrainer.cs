using System.Numerics.Tensors;

namespace ToolOrchestra.Training.Policy;

/// <summary>What one update did: samples, loss, KL to the reference, share of clipped ratios, gradient norm before clipping.</summary>
public sealed record UpdateStats(int Samples, int OptimizerSteps, double Loss, double Kl, double ClipFraction, double GradientNorm);

/// <summary>
/// The update stage of GRPO for the small policy: epochs over the batch in mini-batches (the whole batch by default,
/// as the reference's ppo_mini_batch_size = train_batch_size), each a clipped-ratio gradient step with global-norm
/// clipping and Adam. Deterministic: samples are visited in the given order.
/// </summary>
public sealed class PolicyTrainer
{
    private readonly AdamOptimizer _adam;
    private readonly double[] _gradient;

    public PolicyTrainer(SoftmaxPolicy policy, GrpoUpdateOptions? options = null, SoftmaxPolicy? reference = null)
    {
        Policy = policy;
        Options = options ?? GrpoUpdateOptions.Default;
        if (Options.KlCoefficient != 0 && reference is null) reference = policy.Clone();
        Reference = reference;
        _adam = new AdamOptimizer(policy.Weights.Length, Options.LearningRate, Options.Beta1, Options.Beta2, Options.AdamEpsilon, Options.WeightDecay);
        _gradient = new double[policy.Weights.Length];
    }

    public SoftmaxPolicy Policy { get; }
    public GrpoUpdateOptions Options { get; }

    /// <summary>The optimizer, whose state a checkpoint keeps.</summary>
    public AdamOptimizer Optimizer => _adam;

    /// <summary>The frozen policy of the KL term; the starting weights when the KL is on and none was given.</summary>
    public SoftmaxPolicy? Reference { get; }

    public UpdateStats Update(IReadOnlyList<PolicySample> samples)
    {
        if (samples.Count == 0) return new UpdateStats(0, 0, 0, 0, 0, 0); // the reference skips a step with too few samples
        var size = Options.MiniBatchSize <= 0 ? samples.Count : Options.MiniBatchSize;
        double loss = 0, kl = 0, clip = 0, norm = 0;
        var steps = 0;
        for (var epoch = 0; epoch < Math.Max(1, Options.Epochs); epoch++)
            for (var start = 0; start < samples.Count; start += size)
            {
                var batch = samples.Skip(start).Take(size).ToList();
                var value = GrpoObjective.Evaluate(Policy, batch, Options, Reference, _gradient);
                var n = TensorPrimitives.Norm<double>(_gradient);
                if (Options.MaxGradNorm > 0 && n > Options.MaxGradNorm)
                    TensorPrimitives.Multiply(_gradient, Options.MaxGradNorm / n, _gradient);
                _adam.Step(Policy.Weights, _gradient);
                loss += value.Loss; kl += value.Kl; clip += value.ClipFraction; norm += n;
                steps++;
            }
        return new UpdateStats(samples.Count, steps, loss / steps, kl / steps, clip / steps, norm / steps);
    }
}
