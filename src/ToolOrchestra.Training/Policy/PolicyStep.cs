namespace ToolOrchestra.Training.Policy;

/// <summary>
/// One decision of the small policy, recorded with the features it was made from so the GRPO update can recompute
/// its probability under new weights without the episode: the observation vector, the action matrix (one row of
/// <see cref="FeatureConfig.ActionSize"/> per action), the hard-constraint mask, the chosen action and the
/// probabilities at decision time (the "old" policy of the clipped ratio).
/// </summary>
public sealed record PolicyStep(
    double[] Observation,
    double[] ActionFeatures,
    bool[] Allowed,
    IReadOnlyList<ActionDescriptor> Actions,
    int Chosen,
    double[] Probabilities)
{
    public ActionDescriptor Action => Actions[Chosen];
    public double Probability => Probabilities[Chosen];
    public double LogProbability => Math.Log(Probabilities[Chosen]);
    public int ActionCount => Actions.Count;
}
