using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Core.Tests;

public sealed class PreferencesTests
{
    private static readonly Catalog.Catalog World = new(new OrchestratorSettings("local"),
        new Dictionary<string, ModelEntry>
        {
            ["local"] = new("local", "http://127.0.0.1:1/v1", "q", new Price(0, 0), ["local", "open-weights"]),
            ["cloud"] = new("cloud", "http://127.0.0.1:1/v1", "g", new Price(1, 1), ["proprietary"]),
        },
        new Dictionary<string, AliasEntry> { ["answer-1"] = new("answer-1", "cloud"), ["answer-2"] = new("answer-2", "local") },
        new ToolPrices(), new Limits());

    [Fact]
    public void Hard_constraints_allow_only_tagged_and_not_excluded_aliases()
    {
        var p = new Preferences(new Dictionary<string, double>(), ["local"], []);
        p.Allows("answer-2", World, out _).Should().BeTrue();
        p.Allows("answer-1", World, out var why).Should().BeFalse();
        why.Should().Contain("only_tags");
        new Preferences(new Dictionary<string, double>(), [], ["answer-2"]).Allows("answer-2", World, out why).Should().BeFalse();
        why.Should().Contain("exclude_aliases");
    }

    [Fact]
    public void Soft_preferences_are_stated_in_words()
    {
        var p = new Preferences(new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 0.5, ["answer-2"] = 1, ["search-1"] = -1 }, [], []);
        p.Describe().Should().Be("The user wants you to answer correctly (weight 1), keep the dollar cost low (weight 0.5). Prefer using answer-2. Avoid using search-1.");
        Preferences.None.Describe().Should().BeEmpty();
    }

    [Fact]
    public void Unknown_fields_in_a_preferences_file_are_refused()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{"weights":{"cost":1},"only_tag":["local"]}""");
        try
        {
            var act = () => Preferences.Load(path);
            act.Should().Throw<UserError>().Which.Message.Should().Contain("$.only_tag: unknown field");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_references_pref_vec_is_read_as_the_same_preferences_and_a_typo_alias_is_refused()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"pref_vec":{"accuracy":1,"cost":0.5,"answer-2":1},"only_tags":["local"]}""");
            var p = Preferences.Load(path);
            p.Weights.Should().Equal(new Dictionary<string, double> { ["accuracy"] = 1, ["cost"] = 0.5, ["answer-2"] = 1 });
            p.OnlyTags.Should().Equal("local");
            p.ValidateAgainst(World, path).Should().BeSameAs(p);

            File.WriteAllText(path, """{"weights":{"accuracy":1},"pref_vec":{"accuracy":1}}""");
            FluentActions.Invoking(() => Preferences.Load(path)).Should().Throw<UserError>().WithMessage("*either weights or pref_vec*");

            File.WriteAllText(path, """{"weights":{"answr-2":1}}""");
            FluentActions.Invoking(() => Preferences.Load(path).ValidateAgainst(World, path)).Should().Throw<UserError>().WithMessage("*'answr-2' is not an alias*");
        }
        finally { File.Delete(path); }
    }
}
