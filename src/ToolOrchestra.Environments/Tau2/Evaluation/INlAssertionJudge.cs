using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2.Evaluation;

/// <summary>
/// Grades a task's natural-language assertions against a conversation (upstream's NLAssertionsEvaluator: one LLM
/// call, JSON results). Implemented over a catalog model by the layer that owns model clients; without one the
/// evaluator reports NL assertions as not evaluated, never as passed.
/// </summary>
public interface INlAssertionJudge
{
    Task<IReadOnlyList<NlAssertionCheck>> JudgeAsync(IReadOnlyList<Tau2Message> trajectory, IReadOnlyList<string> assertions, CancellationToken ct);
}
