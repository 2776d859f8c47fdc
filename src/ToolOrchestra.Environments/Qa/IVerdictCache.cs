namespace ToolOrchestra.Environments.Qa;

/// <summary>One judge verdict as kept: the <see cref="AnswerJudge.CacheKey"/>, the verdict, the judge model, what it cost and its reply.</summary>
public sealed record JudgeVerdict(string Key, bool Correct, string Model, decimal CostUsd, string? Raw);

/// <summary>
/// Where <see cref="AnswerJudge"/> keeps verdicts, so each distinct (judge, question, gold, answer) is paid for once: the
/// evaluation store for <c>eval run</c>, memory (or the response cache underneath) for training.
/// </summary>
public interface IVerdictCache
{
    Task<JudgeVerdict?> FindVerdictAsync(string key, CancellationToken ct = default);
    Task SaveVerdictAsync(JudgeVerdict verdict, CancellationToken ct = default);
}

/// <summary>Verdicts kept for the life of the process (a training run).</summary>
public sealed class MemoryVerdictCache : IVerdictCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JudgeVerdict> _verdicts = new(StringComparer.Ordinal);

    public Task<JudgeVerdict?> FindVerdictAsync(string key, CancellationToken ct = default) => Task.FromResult(_verdicts.GetValueOrDefault(key));

    public Task SaveVerdictAsync(JudgeVerdict verdict, CancellationToken ct = default)
    {
        _verdicts[verdict.Key] = verdict;
        return Task.CompletedTask;
    }
}
