using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Environments.OfflineWorld;

namespace ToolOrchestra.Environments.Tests.OfflineWorld;

public class WorldTests
{
    private static readonly World Small = World.Generate(7, WorldOptions.Small);

    private static string Jsonl(World w)
    {
        var sb = new StringWriter();
        w.WriteCorpus(sb);
        w.WriteTasks(sb);
        return sb.ToString();
    }

    [Fact]
    public void The_same_seed_gives_the_same_corpus_and_tasks_byte_for_byte()
    {
        var again = World.Generate(7, WorldOptions.Small);
        Jsonl(again).Should().Be(Jsonl(Small));
        again.Fingerprint.Should().Be(Small.Fingerprint);
        World.Generate(8, WorldOptions.Small).Fingerprint.Should().NotBe(Small.Fingerprint);
    }

    [Fact]
    public void Every_family_gets_its_tasks_and_a_held_out_share()
    {
        foreach (var family in Enum.GetValues<TaskFamily>())
        {
            var tasks = Small.Tasks.Where(t => t.Family == family).ToList();
            tasks.Should().HaveCount(12, family.ToString());
            tasks.Count(t => t.Split == "test").Should().Be(3, family.ToString());
        }
        Small.Tasks.Select(t => t.Id).Should().OnlyHaveUniqueItems();
        Small.Tasks.Select(t => t.Question).Should().OnlyHaveUniqueItems();
        Small.Tasks.Select(t => t.Difficulty).Distinct().Should().BeEquivalentTo([1, 2, 3]);
    }

    [Fact]
    public void Corpus_lines_are_json_objects_with_id_and_contents_only()
    {
        var sb = new StringWriter();
        Small.WriteCorpus(sb);
        var lines = sb.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(Small.Documents.Count);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            doc.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("id", "contents");
        }
        // Every entity has its main document plus one distractor by default.
        Small.Documents.Should().HaveCount(2 * (12 + 30 + 15 + 10));
    }

    [Fact]
    public void Every_fact_a_task_needs_is_stated_in_a_document_that_says_its_value()
    {
        foreach (var task in Small.Tasks.Where(t => t.FactIds.Count > 0))
            foreach (var factId in task.FactIds)
            {
                var fact = Small.Facts[factId];
                var holders = Small.Documents.Where(d => d.FactIds.Contains(factId)).ToList();
                holders.Should().ContainSingle($"{task.Id} needs {factId}");
                holders[0].Contents.Should().Contain(fact.Sentence);
                holders[0].Contents.Should().Contain(fact.Value);
                holders[0].IsDistractor.Should().BeFalse();
            }
        Small.Documents.Where(d => d.IsDistractor).Should().OnlyContain(d => d.FactIds.Count == 0);
    }

    [Fact]
    public void Lookup_and_multi_hop_gold_answers_are_the_last_facts_value()
    {
        Small.Tasks.Where(t => t.Family == TaskFamily.Arithmetic).Should().OnlyContain(t => !t.Answer.StartsWith('-'), "no founding lies in the future");
        foreach (var t in Small.Tasks.Where(t => t.Family is TaskFamily.Lookup or TaskFamily.MultiHop))
        {
            t.Answer.Should().Be(Small.Facts[t.FactIds[^1]].Value, t.Id);
            t.SearchQueries.Should().HaveCount(t.FactIds.Count);
        }
        // A multi-hop's second fact is about the entity the first fact names.
        foreach (var t in Small.Tasks.Where(t => t.Family == TaskFamily.MultiHop))
        {
            var first = Small.Facts[t.FactIds[0]];
            var secondEntity = Small.Facts[t.FactIds[1]].EntityId;
            var named = Small.Cities.Select(c => (c.Id, c.Name)).Concat(Small.People.Select(p => (p.Id, p.Name)))
                .Concat(Small.Companies.Select(c => (c.Id, c.Name))).Single(e => e.Id == secondEntity).Name;
            first.Value.Should().Be(named, t.Id);
            t.Question.Should().NotContain(named, "the bridge entity must be found, not given");
        }
    }

    [Fact]
    public void Context_holds_the_answer_only_when_every_hop_is_retrieved()
    {
        var task = Small.Tasks.First(t => t.Family == TaskFamily.MultiHop);
        var docOf = (string fact) => Small.Documents.Single(d => d.FactIds.Contains(fact)).Id;
        var first = docOf(task.FactIds[0]);
        var second = docOf(task.FactIds[1]);
        var distractor = Small.Documents.First(d => d.IsDistractor).Id;

        Small.HopsCovered(task, [distractor]).Should().Be(0);
        Small.HopsCovered(task, [first, distractor]).Should().Be(1);
        Small.HopsCovered(task, [second]).Should().Be(0, "hops are counted in order");
        Small.ContainsAnswer(task, [second, first]).Should().BeTrue();
        Small.ContainsAnswer(Small.Tasks.First(t => t.Family == TaskFamily.Math), [first]).Should().BeFalse();
    }

    [Fact]
    public void Gold_answers_accept_the_listed_spellings_case_insensitively()
    {
        var population = Small.Tasks.First(t => t.AcceptedAnswers.Count > 1); // "1,234,567" and "1234567"
        var plain = population.AcceptedAnswers.Last();
        population.IsCorrect(plain).Should().BeTrue();
        population.IsCorrect(population.Answer.ToUpperInvariant() + ".").Should().BeTrue();
        population.IsCorrect("12").Should().BeFalse();
        population.IsCorrect(null).Should().BeFalse();
    }

    [Fact]
    public void Preference_profiles_are_drawn_from_the_defaults()
    {
        var world = World.Generate(3, WorldOptions.Small with { TasksPerFamily = 40 });
        world.Tasks.Select(t => t.PreferenceProfile).Distinct().Should().BeEquivalentTo(PreferenceProfiles.Default.Select(p => p.Name));
        world.Tasks.First(t => t.PreferenceProfile == "prefer-local").Preferences.Weight("answer-math-2").Should().Be(0.5);
    }

    [Fact]
    public void The_python_solutions_print_the_gold_answers()
    {
        // Arithmetic and math golds are computed in C#; the Python programs compute them on their own (loops where
        // C# uses formulas), so agreement checks both.
        var world = World.Generate(11, WorldOptions.Small with { TasksPerFamily = 30 });
        var coded = world.Tasks.Where(t => t.Solution is not null).ToList();
        coded.Should().HaveCountGreaterThan(40);
        var script = new StringBuilder("import io, contextlib\n");
        foreach (var t in coded)
            script.Append($"buf = io.StringIO()\nwith contextlib.redirect_stdout(buf):\n    exec({JsonSerializer.Serialize(t.Solution)}, {{}})\nprint({JsonSerializer.Serialize(t.Id)} + '\\t' + buf.getvalue().strip())\n");
        var path = Path.Combine(Path.GetTempPath(), $"world-solutions-{Guid.NewGuid():N}.py");
        File.WriteAllText(path, script.ToString());
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3", path) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            python.ExitCode.Should().Be(0, python.StandardError.ReadToEnd());
            var printed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);
            foreach (var t in coded)
                t.IsCorrect(printed[t.Id]).Should().BeTrue($"{t.Id}: '{t.Question}' gold {t.Answer}, python printed {printed[t.Id]}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Bad_options_are_user_errors()
    {
        var act = () => World.Generate(1, WorldOptions.Small with { HeldOutFraction = 1.5 });
        act.Should().Throw<ToolOrchestra.Core.UserError>().WithMessage("*held-out fraction*");
    }
}
