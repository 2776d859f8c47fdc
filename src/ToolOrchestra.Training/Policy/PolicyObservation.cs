namespace ToolOrchestra.Training.Policy;

/// <summary>
/// What the small policy sees before a turn of the QA protocol: the problem, what the episode has gathered
/// (documents, code outputs), how far it has gone (turn, dollars, seconds, earlier calls) and the user's preferences.
/// </summary>
public sealed record PolicyObservation(
    string Problem,
    int Turn,
    int DocumentCount,
    bool HasCodeOutputs,
    decimal DollarsSpent,
    double SecondsSpent,
    IReadOnlyDictionary<string, double> Preference,
    IReadOnlyList<PastCall>? Calls = null)
{
    public IReadOnlyList<PastCall> CallsSoFar => Calls ?? [];
}
