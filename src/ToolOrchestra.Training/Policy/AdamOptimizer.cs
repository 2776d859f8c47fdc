namespace ToolOrchestra.Training.Policy;

/// <summary>
/// Adam with decoupled weight decay (AdamW) and bias correction. Plain sequential loops: the same gradients in the same
/// order give the same weights bit for bit.
/// </summary>
public sealed class AdamOptimizer(int size, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
{
    private readonly double[] _m = new double[size];
    private readonly double[] _v = new double[size];

    public int Steps { get; private set; }

    /// <summary>The moments and step count (a training checkpoint), copied.</summary>
    public AdamState State => new(Steps, (double[])_m.Clone(), (double[])_v.Clone());

    /// <summary>Continues from <paramref name="state"/> (a resumed training), so later steps equal an uninterrupted run's.</summary>
    public void Restore(AdamState state)
    {
        if (state.M.Length != size || state.V.Length != size) throw new ArgumentException($"optimizer state has {state.M.Length} moments; this optimizer has {size}.");
        state.M.CopyTo(_m, 0);
        state.V.CopyTo(_v, 0);
        Steps = state.Steps;
    }

    public void Step(Span<double> weights, ReadOnlySpan<double> gradient)
    {
        if (weights.Length != size || gradient.Length != size) throw new ArgumentException($"optimizer was built for {size} weights.");
        Steps++;
        var c1 = 1 - Math.Pow(beta1, Steps);
        var c2 = 1 - Math.Pow(beta2, Steps);
        for (var i = 0; i < size; i++)
        {
            var g = gradient[i];
            _m[i] = beta1 * _m[i] + (1 - beta1) * g;
            _v[i] = beta2 * _v[i] + (1 - beta2) * g * g;
            var update = _m[i] / c1 / (Math.Sqrt(_v[i] / c2) + epsilon);
            weights[i] -= learningRate * (update + weightDecay * weights[i]);
        }
    }
}

/// <summary>Adam's first and second moments and its step count.</summary>
public sealed record AdamState(int Steps, double[] M, double[] V);
