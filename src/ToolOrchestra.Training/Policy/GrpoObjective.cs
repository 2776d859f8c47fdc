namespace ToolOrchestra.Training.Policy;

/// <summary>One decision to learn from and the advantage of the rollout it belongs to.</summary>
public sealed record PolicySample(PolicyStep Step, double Advantage);

/// <summary>The objective's value over a mini-batch, for progress reports.</summary>
public readonly record struct ObjectiveValue(double Loss, double PolicyLoss, double Kl, double ClipFraction, double MeanRatio);

/// <summary>
/// The clipped-ratio GRPO loss of the small policy and its exact gradient, averaged over samples (one decision is one
/// "token", so the reference's token-mean is a sample mean):
/// r = π(a)/π_old(a); pg = max(−A·r, −A·clip(r, 1−low, 1+high)); for A &lt; 0, pg = min(pg, −A·c) (dual clip);
/// loss = pg + β·½(log π(a) − log π_ref(a))².
/// </summary>
public static class GrpoObjective
{
    /// <summary>
    /// Loss over <paramref name="samples"/>; when <paramref name="gradient"/> is non-empty, ∂loss/∂W is written into it.
    /// <paramref name="reference"/> is required when the KL coefficient is non-zero.
    /// </summary>
    public static ObjectiveValue Evaluate(
        SoftmaxPolicy policy,
        IReadOnlyList<PolicySample> samples,
        GrpoUpdateOptions options,
        SoftmaxPolicy? reference,
        Span<double> gradient)
    {
        if (options.KlCoefficient != 0 && reference is null)
            throw new ArgumentException("a KL coefficient needs a reference policy.", nameof(reference));
        var withGradient = !gradient.IsEmpty;
        if (withGradient)
        {
            if (gradient.Length != policy.Weights.Length) throw new ArgumentException("gradient size differs from the weights.", nameof(gradient));
            gradient.Clear();
        }
        if (samples.Count == 0) return default;

        double loss = 0, pgLoss = 0, kl = 0, ratios = 0;
        var clipped = 0;
        var scale = 1.0 / samples.Count;
        foreach (var sample in samples)
        {
            var step = sample.Step;
            var a = sample.Advantage;
            var probs = new double[step.ActionCount];
            policy.Probabilities(step, probs);
            var logp = Math.Log(probs[step.Chosen]);
            var ratio = Math.Exp(logp - step.LogProbability);
            var unclipped = -a * ratio;
            var clippedTerm = -a * Math.Clamp(ratio, 1 - options.ClipLow, 1 + options.ClipHigh);
            var pg = Math.Max(unclipped, clippedTerm);
            // ∂pg/∂logp: −A·r where the unclipped term is the active one, 0 where the clip holds it flat.
            var dPg = clippedTerm > unclipped ? 0.0 : -a * ratio;
            if (clippedTerm > unclipped) clipped++;
            if (a < 0 && -a * options.DualClip < pg)
            {
                pg = -a * options.DualClip;
                dPg = 0;
            }

            var dLogp = dPg;
            var sampleLoss = pg;
            if (options.KlCoefficient != 0)
            {
                var refProbs = new double[step.ActionCount];
                reference!.Probabilities(step, refProbs);
                var diff = logp - Math.Log(refProbs[step.Chosen]);
                var k = 0.5 * diff * diff;
                kl += k;
                sampleLoss += options.KlCoefficient * k;
                dLogp += options.KlCoefficient * diff;
            }

            loss += sampleLoss;
            pgLoss += pg;
            ratios += ratio;
            if (withGradient && dLogp != 0)
                policy.AccumulateLogProbGradient(step, probs, dLogp * scale, gradient);
        }
        return new ObjectiveValue(loss * scale, pgLoss * scale, kl * scale, clipped * scale, ratios * scale);
    }
}
