using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa.Tools;

/// <summary>
/// <c>answer</c>: the alias's expert answers from the gathered context (<c>\boxed{}</c> for Qwen-family models,
/// <c>&lt;answer&gt;</c> tags for the others); this ends the episode.
/// </summary>
internal sealed class AnswerTool() : QaExpertTool(QaTool.Answer)
{
    protected override string Description => "give the final answer. Not allowed to call if documents is empty.";
    protected override string ModelParameterLead => "The model used to answer.";

    public override async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        var state = invocation.Context.Feature<QaEpisodeState>();
        var family = invocation.Context.Catalog.ModelFor(invocation.Alias!).Family;
        var (system, user) = ExpertPrompts.Answer(ExpertContext(invocation), state.Problem, family, state.Variant);
        var reply = await AskExpertAsync(invocation, system, user, ct).ConfigureAwait(false);
        var extracted = ExpertPrompts.ExtractAnswer(reply, family, state.Variant);
        return ToolOutput.Answer(extracted ?? ExpertPrompts.StripThinking(reply),
            extracted is null ? "the expert gave no tagged answer; its reply text is the answer" : null);
    }
}
