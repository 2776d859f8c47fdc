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
/// [10] the largest weight on an alias (0 when none), [11..12] √cost and √latency weights (concave, so the first
/// small weight can already move the policy a long way while 0 stays exactly 0), then the problem's hashed word n-grams, each once plainly,
/// once conjoined with the episode stage (searches so far 0/1/2+, code run or not), L2-normalised, plus the same
/// n-grams conjoined with "cost", "latency" and "aliases", each scaled by that weight (on the plain block's scale).
/// Every preference enters as a number, never as a yes/no mode: the behaviour a problem gets moves continuously with
/// the weights (a binary "accuracy only / cost-aware" mode made every nonzero cost weight act like a large one).
/// So the same words can ask for search first and an answer later, and for a cheaper expert the more the user weighs
/// dollars.</para>
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
        var aliasWeight = 0.0;
        foreach (var (key, weight) in obs.Preference)
            if (key is not (Preferences.Accuracy or Preferences.Cost or Preferences.Latency)) aliasWeight = Math.Max(aliasWeight, weight);
        o[10] = aliasWeight;
        o[11] = Math.Sqrt(Math.Max(0, o[8]));
        o[12] = Math.Sqrt(Math.Max(0, o[9]));

        int searches = 0, reasoning = 0;
        foreach (var c in obs.CallsSoFar)
        {
            if (c.Tool == QaActionSet.Search) searches++;
            else if (c.Tool == QaActionSet.EnhanceReasoning) reasoning++;
        }
        var stage = FeatureHashing.Hash($"stage:s{Math.Min(searches, 2)}c{(reasoning > 0 || obs.HasCodeOutputs ? 1 : 0)}", config.HashSeed);

        var block = o[FeatureConfig.ObservationFixed..];
        var grams = HashedText.ProblemGrams(obs.Problem, config);
        foreach (var gram in grams)
        {
            FeatureHashing.Add(block, gram);
            FeatureHashing.Add(block, FeatureHashing.Combine(gram, stage));
        }
        var norm = TensorPrimitives.Norm<double>(block);
        if (norm == 0) return;
        TensorPrimitives.Multiply(block, 1 / norm, block);
        Span<double> scratch = block.Length <= 1024 ? stackalloc double[block.Length] : new double[block.Length];
        AddConjoined(block, scratch, grams, CostHash(config), o[8] / norm);
        AddConjoined(block, scratch, grams, LatencyHash(config), o[9] / norm);
        AddConjoined(block, scratch, grams, AliasHash(config), aliasWeight / norm);
    }

    private static ulong CostHash(FeatureConfig config) => FeatureHashing.Hash("pref:cost", config.HashSeed);
    private static ulong LatencyHash(FeatureConfig config) => FeatureHashing.Hash("pref:latency", config.HashSeed);
    private static ulong AliasHash(FeatureConfig config) => FeatureHashing.Hash("pref:aliases", config.HashSeed);

    /// <summary>Adds <paramref name="scale"/> × (the n-grams conjoined with <paramref name="with"/>) to the block; nothing at weight 0.</summary>
    private static void AddConjoined(Span<double> block, Span<double> scratch, ulong[] grams, ulong with, double scale)
    {
        if (scale == 0) return;
        scratch.Clear();
        foreach (var gram in grams) FeatureHashing.Add(scratch, FeatureHashing.Combine(gram, with));
        TensorPrimitives.MultiplyAdd(scratch, scale, block, block);
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
}
