using System.Text.Json;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Evaluation.Tests.Harness.Gaia;

/// <summary>
/// <see cref="GaiaScorer"/> against GAIA's own <c>question_scorer</c>: scorer-golden.jsonl holds generated (answer, gold)
/// pairs over every branch with the verdict the Python original gave (scripts/gaia-scorer-golden.py regenerates it).
/// </summary>
public sealed class GaiaScorerTests
{
    private static readonly string GoldenPath = Path.Combine(SharedData.RepoRoot, "tests", "ToolOrchestra.Evaluation.Tests", "Harness", "Gaia", "scorer-golden.jsonl");

    [Fact]
    public void Agrees_with_the_official_scorer_on_every_generated_pair()
    {
        var rows = File.ReadAllLines(GoldenPath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        rows.Should().HaveCountGreaterThanOrEqualTo(500);
        rows.Should().Contain(r => r.GetProperty("correct").GetBoolean()).And.Contain(r => !r.GetProperty("correct").GetBoolean());
        var disagreements = rows
            .Select(r => (Answer: r.GetProperty("answer").ValueKind == JsonValueKind.Null ? null : r.GetProperty("answer").GetString(),
                Gold: r.GetProperty("gold").GetString()!, Expected: r.GetProperty("correct").GetBoolean()))
            .Where(r => GaiaScorer.Score(r.Answer, r.Gold) != r.Expected)
            .Select(r => $"answer {JsonSerializer.Serialize(r.Answer)} gold {JsonSerializer.Serialize(r.Gold)}: expected {r.Expected}")
            .ToList();
        disagreements.Should().BeEmpty();
    }

    [Theory]
    [InlineData("$1,234.50", "1234.5", true)]      // units and commas go before the number is read
    [InlineData("42 km", "42", false)]             // a unit word is no number
    [InlineData("anything", "inf", true)]          // no number reads as +inf, as in the original
    [InlineData("nan", "nan", false)]
    [InlineData("St Louis, Paris", "St. Louis, Paris", false)] // list elements keep their punctuation
    [InlineData("sea gull", "Seagull!", true)]     // strings lose whitespace, punctuation and case
    [InlineData(null, "none", true)]
    public void Follows_each_branch_of_the_original(string? answer, string gold, bool expected) =>
        GaiaScorer.Score(answer, gold).Should().Be(expected);
}
