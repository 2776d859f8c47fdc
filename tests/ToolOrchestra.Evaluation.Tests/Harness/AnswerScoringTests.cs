using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness;

namespace ToolOrchestra.Evaluation.Tests.Harness;

/// <summary>The reference's exact match and judge reading, on the edge cases that made FRAMES golds score as wrong.</summary>
public class AnswerScoringTests
{
    [Theory]
    [InlineData("Paris", "Paris", MatchVerdict.Correct)]
    [InlineData("  paris\n", "PARIS", MatchVerdict.Correct)]
    [InlineData("The Eiffel Tower.", " The Eiffel Tower. ", MatchVerdict.Correct)] // a gold ending in '.', answered verbatim
    [InlineData("37 years", "37 years\t", MatchVerdict.Correct)] // an untrimmed gold
    [InlineData("Paris", "Paris.", MatchVerdict.AskJudge)] // the reference strips neither side's '.': a near miss
    [InlineData("Paris.", "Paris", MatchVerdict.AskJudge)]
    [InlineData("", "Paris", MatchVerdict.Wrong)]
    [InlineData("   ", "Paris", MatchVerdict.Wrong)]
    [InlineData(null, "Paris", MatchVerdict.Wrong)]
    public void Exact_match_normalises_both_sides_the_same_way(string? prediction, string gold, MatchVerdict expected) =>
        AnswerMatch.Check(prediction, gold).Should().Be(expected);

    [Fact]
    public void An_answer_over_500_words_is_wrong_even_when_it_contains_the_gold()
    {
        var longAnswer = string.Join(' ', Enumerable.Repeat("Paris", 501));
        AnswerMatch.Check(longAnswer, "Paris").Should().Be(MatchVerdict.Wrong);
        AnswerMatch.Check(string.Join(' ', Enumerable.Repeat("Paris", 500)), "Paris").Should().Be(MatchVerdict.AskJudge);
    }

    [Theory]
    [InlineData("<correct>True</correct>", true)]
    [InlineData("reasoning… <correct>true</correct>", true)]
    [InlineData("<correct>False</correct> then <correct>TRUE</correct>", true)] // the last tag decides
    [InlineData("<correct>True</correct> then <correct>False</correct>", false)]
    [InlineData("<correct> True </correct>", false)] // no trimming, as the reference
    [InlineData("True", true)] // no tag: the whole reply is read
    [InlineData("yes", false)]
    [InlineData("", false)]
    public void The_judge_reply_is_read_as_the_reference_reads_it(string reply, bool expected) =>
        AnswerJudge.Parse(reply).Should().Be(expected);

    [Fact]
    public void The_judge_prompt_states_the_question_both_answers_and_the_verdict_format()
    {
        var prompt = AnswerJudge.Prompt("Capital of France?", "Paris", "paris, France");
        prompt.Should().Contain("Question: Capital of France?").And.Contain("Student answer: paris, France").And.Contain("Reference answer: Paris")
            .And.Contain("<correct>True</correct>").And.Contain("<correct>False</correct>");
        AnswerJudge.CacheKey("m", "q", "g", "p").Should().NotBe(AnswerJudge.CacheKey("m2", "q", "g", "p"), "verdicts are per judge model");
    }

    [Theory]
    [InlineData("1/2", 1, 2)]
    [InlineData("8/8", 8, 8)]
    public void Shards_parse(string text, int i, int n) => ShardSpec.Parse(text).Should().Be(new ShardSpec(i, n));

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("1-2")]
    [InlineData("a/b")]
    public void Bad_shards_are_refused_with_the_form(string text) =>
        FluentActions.Invoking(() => ShardSpec.Parse(text)).Should().Throw<UserError>().WithMessage("*i/N*");

    [Fact]
    public void Every_sample_falls_in_exactly_one_shard_and_the_scheduler_variables_name_it()
    {
        var ids = Enumerable.Range(0, 500).Select(i => $"task-{i}").ToList();
        var shards = Enumerable.Range(1, 4).Select(i => new ShardSpec(i, 4)).ToList();
        ids.Should().OnlyContain(id => shards.Count(s => s.Includes(id)) == 1);
        shards.Should().OnlyContain(s => ids.Count(s.Includes) > 80, "the hash spreads samples evenly");

        ShardSpec.FromEnvironment(n => n switch { "SLURM_ARRAY_TASK_ID" => "3", "SLURM_ARRAY_TASK_COUNT" => "4", _ => null }).Should().Be(new ShardSpec(4, 4));
        ShardSpec.FromEnvironment(n => n switch { "SLURM_ARRAY_TASK_ID" => "3", "SLURM_ARRAY_TASK_COUNT" => "4", "SLURM_ARRAY_TASK_MIN" => "1", _ => null }).Should().Be(new ShardSpec(3, 4));
        ShardSpec.FromEnvironment(n => n switch { "JOB_COMPLETION_INDEX" => "0", "ORCHESTRA_SHARD_COUNT" => "2", _ => null }).Should().Be(new ShardSpec(1, 2));
        ShardSpec.FromEnvironment(_ => null).Should().Be(ShardSpec.Whole);
        FluentActions.Invoking(() => ShardSpec.FromEnvironment(n => n == "JOB_COMPLETION_INDEX" ? "1" : null)).Should().Throw<UserError>().WithMessage("*ORCHESTRA_SHARD_COUNT*");
    }
}
