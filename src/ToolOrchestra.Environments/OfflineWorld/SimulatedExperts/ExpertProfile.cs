namespace ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

/// <summary>A probability by task difficulty (1 easy, 2 medium, 3 hard).</summary>
public sealed record Skill(double Easy, double Medium, double Hard)
{
    public double At(int difficulty) => difficulty <= 1 ? Easy : difficulty == 2 ? Medium : Hard;
}

/// <summary>
/// How one simulated expert behaves: its price (dollars per million tokens), speed (a fixed start plus output tokens
/// at a rate), how many output tokens it spends per kind of request (reasoning included, as a provider bills it), and
/// its skills: <see cref="Knowledge"/> answers "known" questions from memory, <see cref="Math"/> solves math without
/// code, <see cref="Reading"/> answers correctly when its context holds the facts, <see cref="Code"/> writes a correct
/// program, <see cref="QueryQuality"/> knows how to phrase the ideal search query for the next missing fact — a property
/// of the (model, question, hop), so asking the same model again rarely helps where it lacks it.
/// </summary>
public sealed record ExpertProfile(
    string ModelId,
    string ProviderName,
    bool OpenWeights,
    decimal InputPricePerMillion,
    decimal OutputPricePerMillion,
    double BaseLatencySeconds,
    double TokensPerSecond,
    double AnswerTokens,
    double QueryTokens,
    double CodeTokens,
    Skill Knowledge,
    Skill Math,
    Skill Reading,
    Skill Code,
    Skill QueryQuality,
    string Source)
{
    /// <summary>Mean seconds of a request whose output is <paramref name="outputTokens"/> long.</summary>
    public double LatencyFor(double outputTokens) => BaseLatencySeconds + outputTokens / TokensPerSecond;

    public double MeanTokens(ExpertRole role) => role switch
    {
        ExpertRole.Search => QueryTokens,
        ExpertRole.Code => CodeTokens,
        _ => AnswerTokens,
    };
}

/// <summary>What the QA protocol asks an expert to do (reference §2.1).</summary>
public enum ExpertRole
{
    /// <summary>Write a search query (<c>search</c>).</summary>
    Search,
    /// <summary>Write Python that gives intermediate results (<c>enhance_reasoning</c>).</summary>
    Code,
    /// <summary>Give the final answer (<c>answer</c>).</summary>
    Answer,
}
