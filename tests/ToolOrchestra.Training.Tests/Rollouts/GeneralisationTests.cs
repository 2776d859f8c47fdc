using ToolOrchestra.Training.Demo;

namespace ToolOrchestra.Training.Tests.Rollouts;

public sealed class GeneralisationTests
{
    [Fact]
    public void The_unseen_catalog_points_two_aliases_at_the_held_out_profiles_with_their_prices()
    {
        var c = Generalisation.UnseenExperts().Catalog;

        c.Aliases["answer-1"].Model.Should().Be("claude-opus-4.1");
        c.Aliases["answer-4"].Model.Should().Be("nemotron-super-49b");
        c.Models["claude-opus-4.1"].Price.OutputPerMillion.Should().Be(75m);
        c.Models["nemotron-super-49b"].HasTag("local").Should().BeTrue();
        c.Aliases["search-1"].Model.Should().Be("gpt-5", "other aliases are unchanged");
    }

    [Fact]
    public void The_changed_price_table_halves_proprietary_prices_and_doubles_open_weights_ones()
    {
        var c = Generalisation.ChangedPrices().Catalog;

        c.Models["gpt-5"].Price.OutputPerMillion.Should().Be(5m);
        c.Models["qwen3-32b"].Price.InputPerMillion.Should().Be(1.6m);
        c.Aliases["answer-1"].Model.Should().Be("gpt-5");
    }
}
