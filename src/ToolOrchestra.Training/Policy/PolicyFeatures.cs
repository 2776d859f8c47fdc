using ToolOrchestra.Core.Text;
using System.Numerics.Tensors;
using ToolOrchestra.Core;

namespace ToolOrchestra.Training.Policy;

/// <summary>
/// Turns an observation and an action set into the vectors the policy scores. The logit of action a is
/// oᵀ W a: every observation feature is crossed with every action feature, so e.g. "the user weighs cost" × "the
/// alias's output price" or "a math-looking problem" × "'math' in the alias's description" each get a weight.
/// <para>Observation o: [0] 1, [1] ln(1+documents), [2] code outputs exist, [3] min(turn,20)/10, [4] first turn,
/// [5] ln(1+100·dollars spent), [6] ln(1+seconds spent/10), [7..9] preference weights of accuracy, cost, latency,
/// [10] only accuracy counts (no weight on cost, latency or any alias), [11] some alias carries a weight,
/// then the problem's hashed word n-grams, each once plainly, once conjoined with the episode stage
/// (searches so far 0/1/2+, code run or not) and once with the preference mode ([10], [11] or neither),
/// L2-normalised — so the same words can ask for search first and an answer later, and for a different expert
/// when the user weighs cost or names the experts they prefer.</para>
/// <para>Action a: [0] 1, [1..3] tool one-hot (search, enhance_reasoning, answer), [4] ln(1+input $/M),
/// [5] ln(1+output $/M), [6] ln(1+latency s), [7] the preference weight of this alias, [8] ln(1+earlier calls of this
/// alias), [9] ln(1+earlier calls of this tool), then the description's hashed words, L2-normalised.</para>
/// </summary>
public static class PolicyFeatures
{
    public static void Observation(PolicyObservation obs, FeatureConfig config, Span<double> o)
    {
        if (o.Length != config.ObservationSize) throw new ArgumentException($"observation span has {o.Length} entries, expected {config.ObservationSize}.", nameof(o));
        o.Clear();
        o[0] = 1;
        o[1] = Math.Log(1 + Math.Max(0, obs.DocumentCount));
        o[2] = obs.HasCodeOutputs ? 1 : 0;
        o[3] = Math.Min(Math.Max(obs.Turn, 0), 20) / 10.0;
        o[4] = obs.Turn == 0 ? 1 : 0;
        o[5] = Math.Log(1 + 100 * Math.Max(0, (double)obs.DollarsSpent));
        o[6] = Math.Log(1 + Math.Max(0, obs.SecondsSpent) / 10);
        o[7] = obs.Preference.GetValueOrDefault(Preferences.Accuracy);
        o[8] = obs.Preference.GetValueOrDefault(Preferences.Cost);
        o[9] = obs.Preference.GetValueOrDefault(Preferences.Latency);
        var aliasWeighted = obs.Preference.Any(kv => kv.Value != 0 && kv.Key is not (Preferences.Accuracy or Preferences.Cost or Preferences.Latency));
        var accuracyOnly = o[8] == 0 && o[9] == 0 && !aliasWeighted;
        o[10] = accuracyOnly ? 1 : 0;
        o[11] = aliasWeighted ? 1 : 0;

        int searches = 0, reasoning = 0;
        foreach (var c in obs.CallsSoFar)
        {
            if (c.Tool == QaActionSet.Search) searches++;
            else if (c.Tool == QaActionSet.EnhanceReasoning) reasoning++;
        }
        var stage = FeatureHashing.Hash($"stage:s{Math.Min(searches, 2)}c{(reasoning > 0 || obs.HasCodeOutputs ? 1 : 0)}", config.HashSeed);
        var mode = FeatureHashing.Hash(accuracyOnly ? "mode:accuracy" : aliasWeighted ? "mode:aliases" : "mode:costs", config.HashSeed);

        var block = o[FeatureConfig.ObservationFixed..];
        foreach (var gram in HashedText.ProblemGrams(obs.Problem, config))
        {
            FeatureHashing.Add(block, gram);
            FeatureHashing.Add(block, FeatureHashing.Combine(gram, stage));
            FeatureHashing.Add(block, FeatureHashing.Combine(gram, mode));
        }
        Normalise(block);
    }

    public static void Action(ActionDescriptor action, PolicyObservation obs, FeatureConfig config, Span<double> a)
    {
        if (a.Length != config.ActionSize) throw new ArgumentException($"action span has {a.Length} entries, expected {config.ActionSize}.", nameof(a));
        a.Clear();
        a[0] = 1;
        var tool = action.Tool switch { QaActionSet.Search => 1, QaActionSet.EnhanceReasoning => 2, QaActionSet.Answer => 3, _ => 0 };
        if (tool > 0) a[tool] = 1;
        a[4] = Math.Log(1 + Math.Max(0, (double)action.InputPricePerMillion));
        a[5] = Math.Log(1 + Math.Max(0, (double)action.OutputPricePerMillion));
        a[6] = Math.Log(1 + Math.Max(0, action.LatencySeconds));
        a[7] = obs.Preference.GetValueOrDefault(action.Alias);
        int aliasCalls = 0, toolCalls = 0;
        foreach (var c in obs.CallsSoFar)
        {
            if (c.Alias == action.Alias) aliasCalls++;
            if (c.Tool == action.Tool) toolCalls++;
        }
        a[8] = Math.Log(1 + aliasCalls);
        a[9] = Math.Log(1 + toolCalls);

        HashedText.DescriptionBlock(action.Description, config).CopyTo(a[FeatureConfig.ActionFixed..]);
    }

    private static void Normalise(Span<double> block)
    {
        var norm = TensorPrimitives.Norm<double>(block);
        if (norm > 0) TensorPrimitives.Multiply(block, 1 / norm, block);
    }
}
