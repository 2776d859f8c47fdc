using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>
/// The train variant against the lines of training/lead_agent/llm_agent/generation_quick3.py that build the prompt
/// (run_llm_loop), the expert requests (call_tool) and the expert contexts (execute_predictions). Hand-read: that
/// module needs torch and verl to load, so it has no generated goldens yet.
/// </summary>
public sealed class TrainVariantTests
{
    private static readonly QaProtocolVariant Train = QaProtocolVariant.Train;

    [Fact]
    public void The_orchestrator_view_has_uncut_unmarked_documents_and_code_without_a_header()
    {
        var context = new QaContext(CharTokenCounter.Instance);
        var longDoc = new string('x', 4100);
        context.AddDocuments(["short doc", longDoc]);
        context.AddCode("\nprint(1)\n", "1\n");

        context.ForOrchestrator("P", Train).Should().Be(
            "Documents:\nDoc 1: short doc\n\nDoc 2: " + new string('x', 4000) + "\n\n```python\n\nprint(1)\n\n```\n\n```output\n1\n\n```\n\n");
    }

    [Fact]
    public void The_context_budget_is_24000_tokens_not_reduced_by_the_problem_and_the_code_keeps_16000()
    {
        var context = new QaContext(CharTokenCounter.Instance);
        context.AddCode("c", new string('o', 16500));
        var view = context.ForOrchestrator(new string('p', 5000), Train);
        view.Should().StartWith("```\n").And.HaveLength(16000 + 4);

        var docs = new QaContext(CharTokenCounter.Instance);
        docs.AddDocuments(Enumerable.Range(0, 8).Select(i => $"{i}" + new string('d', 3999)));
        docs.ForOrchestrator(new string('p', 5000), Train).Should().HaveLength("Documents:\n".Length + 24000);
    }

    [Fact]
    public void The_system_prompt_and_tail_keep_the_training_spelling()
    {
        Train.SystemPrompt.Should().Be("You are good at using tools. ");
        Train.PromptTail.Should().Be("Choose an approriate tool.");
        Train.TopK.Should().Be(30);
    }

    [Fact]
    public void A_short_query_searches_the_problem_and_a_missing_tag_makes_the_whole_reply_the_query()
    {
        ExpertPrompts.ExtractQuery("<query>ab</query>", "the problem", Train).Should().Be("the problem");
        ExpertPrompts.ExtractQuery("a query without tags", "the problem", Train).Should().Be("a query without tags");
        ExpertPrompts.ExtractQuery("<query>ab</query>", "the problem", QaProtocolVariant.Hle).Should().BeNull();
    }

    [Fact]
    public void Qwen_answer_experts_get_the_boxed_instruction_as_a_user_suffix()
    {
        ExpertPrompts.Answer("Documents:\nDoc 1: d\n\n", "P", ModelFamily.Qwen, Train)
            .Should().Be(((string?)null, "Documents:\nDoc 1: d\n\nP\nLet's think step by step and output the final answer within \\boxed{}."));
        ExpertPrompts.Answer("", "P", ModelFamily.Gpt, Train).User.Should().Be(
            "\n\nP\nWrap the thinking process and explanation between <think> and </think> and wrap only the exact answer without any explanation within <answer> and </answer>.");
        Train.ExpertFor(QaTool.Answer, ModelFamily.Gpt)!.MaxTokens.Should().Be(28000);
    }

    [Fact]
    public void Boxed_answers_read_up_to_the_last_brace_as_the_reference_does()
    {
        ExpertPrompts.ExtractAnswer("so \\boxed{\\frac{1}{2}} and }", ModelFamily.Qwen, Train).Should().Be("\\frac{1}{2}} and");
        ExpertPrompts.ExtractAnswer("no box", ModelFamily.QwenMath, Train).Should().Be("");
    }
}
