using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Runtime.Tests;

public sealed class QaContextTests
{
    [Fact]
    public void Renders_documents_then_code_and_skips_duplicate_documents()
    {
        var ctx = new QaContext(EstimatingTokenCounter.Instance);
        ctx.AddDocuments(["alpha", "beta"]).Should().Be(2);
        ctx.AddDocuments(["beta", "gamma"]).Should().Be(1);
        ctx.AddCode("print(1)", "1");
        ctx.ForExpert("p", new ExpertContextLimits(1000, 1000, null)).Should().Be(
            "Documents:\nDoc 1: alpha\n\nDoc 2: beta\n\nDoc 3: gamma\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\n");
        ctx.ForOrchestrator("p", new OrchestratorContextLimits()).Should().Contain("\npython code and execution outputs:\n```python");
    }

    [Fact]
    public void Cuts_documents_code_and_the_whole_context_from_the_front()
    {
        var ctx = new QaContext(EstimatingTokenCounter.Instance);
        ctx.AddDocuments([new string('d', 50)]);
        ctx.ForOrchestrator("p", new OrchestratorContextLimits(DocChars: 10)).Should().Contain("Doc 1: dddddddddd ...\n\n");
        ctx.ForExpert("p", new ExpertContextLimits(1000, 1000, 10)).Should().Contain("Doc 1: dddddddddd\n\n");

        ctx.AddCode(new string('c', 400), "out");
        var withCut = ctx.ForExpert("p", new ExpertContextLimits(CodeTokens: 10, ContextTokens: 1000, DocChars: null));
        withCut.Should().Contain("```\n" + new string('c', 40 - "\n```\n\n```output\nout\n```\n\n".Length)); // leading fence marks the cut

        // whole context: last (limit − tokens(problem)) tokens; problem "pppp" is 1 token, limit 6 → 5 tokens = 20 chars
        var whole = ctx.ForExpert("pppp", new ExpertContextLimits(1000, 6, null));
        whole.Length.Should().Be(20);
        whole.Should().EndWith("out\n```\n\n");
    }

    [Fact]
    public void Expert_replies_are_read_as_the_reference_reads_them()
    {
        ExpertPrompts.ExtractQuery("<query>a</query> then <query>capital of France</query>", "problem").Should().Be("capital of France");
        ExpertPrompts.ExtractQuery("<query>abc</query>", "the problem").Should().Be("the problem");
        ExpertPrompts.ExtractQuery("nothing", new string('x', 500)).Should().HaveLength(390);
        ExpertPrompts.ExtractCode("```python\nprint(1)\n```\ntext\n```python\nprint(2)\n```").Should().Be("print(2)");
        ExpertPrompts.ExtractCode("no code").Should().BeNull();
        ExpertPrompts.ExtractAnswer("x \\boxed{1} y \\boxed{\\frac{a}{b}}", ModelFamily.QwenMath).Should().Be("\\frac{a}{b}");
        ExpertPrompts.ExtractAnswer("<think>maybe 3</think><answer>\n4\n</answer>", ModelFamily.Gpt).Should().Be("4");
        ExpertPrompts.ExtractAnswer("just text", ModelFamily.Llama).Should().BeNull();
    }
}

public sealed class QaContextWithQwen3TokenizerTests
{
    [Fact]
    public void The_whole_context_keeps_exactly_its_last_tokens_under_the_qwen3_tokenizer()
    {
        var tokenizer = ToolOrchestra.Models.Tokenization.Qwen3Tokenizer.Load(ToolOrchestra.Testing.SharedData.File("qwen3-tokenizer", "tokenizer.json"));
        var ctx = new QaContext(tokenizer);
        ctx.AddDocuments(Enumerable.Range(1, 50).Select(i => $"Document number {i} says the answer might be {i * 7}."));
        var problem = "Which document mentions 343?";
        var limit = 120;
        var rendered = ctx.ForExpert(problem, new ExpertContextLimits(1000, limit, null));
        tokenizer.Count(rendered).Should().BeInRange(limit - tokenizer.Count(problem) - 2, limit - tokenizer.Count(problem));
        rendered.Should().EndWith("Document number 50 says the answer might be 350.\n\n");
    }
}
