using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Environments.Tests.OfflineWorld;

public class SimulatedExpertTests
{
    private static readonly World World = World.Generate(5, WorldOptions.Small with { TasksPerFamily = 30 });

    private static SimulatedExpert Expert(string model) => SimulatedExpert.ForModel(World, model)!;

    private static string DocumentWith(string factId) => World.Documents.Single(d => d.FactIds.Contains(factId)).Contents;

    /// <summary>The context string the runtime would give an expert holding these documents and code outputs.</summary>
    private static string Context(WorldTask task, IEnumerable<string> documents, (string Code, string Output)? code = null)
    {
        var context = new QaContext(EstimatingTokenCounter.Instance);
        context.AddDocuments(documents);
        if (code is { } c) context.AddCode(c.Code, c.Output);
        return context.ForExpert(task.Question, new ExpertContextLimits(40000, 120000, null));
    }

    private static string AnswerPrompt(WorldTask task, string context, ModelFamily family)
    {
        var (system, user) = ExpertPrompts.Answer(context, task.Question, family);
        return (system is null ? "" : system + "\n") + user;
    }

    private static double Accuracy(SimulatedExpert expert, WorldTask task, string prompt, ModelFamily family) =>
        Enumerable.Range(0, 200).Count(seed => task.IsCorrect(ExpertPrompts.ExtractAnswer(expert.Respond(prompt, seed).Content, family))) / 200.0;

    [Fact]
    public void Profiles_reproduce_the_reference_alias_latencies()
    {
        foreach (var (alias, model, role, seconds) in ExpertCalibration.ReferenceLatencies)
        {
            var p = ExpertCalibration.Find(model)!;
            p.LatencyFor(p.MeanTokens(role)).Should().BeApproximately(seconds, seconds * 0.02, alias);
        }
        ExpertCalibration.Find("gpt-5")!.OutputPricePerMillion.Should().Be(10m);
        ExpertCalibration.Find("Qwen/Qwen2.5-Math-7B-Instruct")!.InputPricePerMillion.Should().Be(0.2m);
    }

    [Fact]
    public void The_printed_calibration_says_simulated_and_lists_every_model()
    {
        var text = ExpertCalibration.Describe();
        text.Should().StartWith("Simulated expert profiles");
        foreach (var id in new[] { "gpt-5", "gpt-5-mini", "qwen3-32b", "qwen2.5-coder-32b", "llama-3.3-70b", "qwen2.5-math-72b", "qwen2.5-math-7b", "qwen3-8b" })
            text.Should().Contain($"| {id} |");
        text.Should().Contain("(unseen)");
    }

    [Fact]
    public void A_lookup_is_answered_from_context_and_never_without_it()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Lookup && t.Difficulty == 1);
        var with = AnswerPrompt(task, Context(task, [DocumentWith(task.FactIds[0])]), ModelFamily.Gpt);
        var without = AnswerPrompt(task, Context(task, World.Documents.Where(d => d.IsDistractor).Take(3).Select(d => d.Contents)), ModelFamily.Gpt);

        Accuracy(Expert("gpt-5"), task, with, ModelFamily.Gpt).Should().BeGreaterThan(0.95);
        Accuracy(Expert("gpt-5"), task, without, ModelFamily.Gpt).Should().Be(0);
    }

    [Fact]
    public void A_small_math_model_needs_code_for_hard_math()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Math && t.Difficulty == 3);
        var bare = AnswerPrompt(task, Context(task, []), ModelFamily.QwenMath);
        var withCode = AnswerPrompt(task, Context(task, [], (task.Solution!, task.Answer)), ModelFamily.QwenMath);
        var math7b = Expert("qwen2.5-math-7b");

        Accuracy(math7b, task, bare, ModelFamily.QwenMath).Should().BeLessThan(0.3);
        Accuracy(math7b, task, withCode, ModelFamily.QwenMath).Should().BeGreaterThan(0.85);
    }

    [Fact]
    public void Stronger_models_know_more_real_world_facts()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Known && t.Difficulty == 3);
        var gpt = Accuracy(Expert("gpt-5"), task, AnswerPrompt(task, "", ModelFamily.Gpt), ModelFamily.Gpt);
        var small = Accuracy(Expert("qwen2.5-math-7b"), task, AnswerPrompt(task, "", ModelFamily.QwenMath), ModelFamily.QwenMath);
        gpt.Should().BeGreaterThan(small + 0.5);
    }

    [Fact]
    public void The_query_for_the_second_hop_names_the_bridge_entity_once_the_first_hop_is_known()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.MultiHop);
        var afterHop1 = ExpertPrompts.Query(Context(task, [DocumentWith(task.FactIds[0])]), task.Question);
        var gpt = Expert("gpt-5");

        var queries = Enumerable.Range(0, 100).Select(s => ExpertPrompts.ExtractQuery(gpt.Respond(afterHop1, s).Content, task.Question)).ToList();
        queries.Count(q => q == task.SearchQueries[1]).Should().BeGreaterThan(gpt.KnowsQuery(task, 1) ? 85 : -1).And.BeLessThan(gpt.KnowsQuery(task, 1) ? 101 : 25);
        ExpertPrompts.ExtractQuery(gpt.Respond(ExpertPrompts.Query("", task.Question), 1).Content, task.Question)
            .Should().NotBe(task.SearchQueries[1], "without the first hop the bridge entity is unknown");
    }

    [Fact]
    public void Code_for_arithmetic_needs_the_facts_in_context()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Arithmetic && t.FactIds.Count == 2);
        var withFacts = ExpertPrompts.Code(Context(task, task.FactIds.Select(DocumentWith)), task.Question);
        var coder = Expert("qwen2.5-coder-32b");

        var codes = Enumerable.Range(0, 100).Select(s => ExpertPrompts.ExtractCode(coder.Respond(withFacts, s).Content)).ToList();
        codes.Count(c => c == task.Solution).Should().BeInRange(70, 100);
        ExpertPrompts.ExtractCode(coder.Respond(ExpertPrompts.Code("", task.Question), 0).Content).Should().Contain("guessing");
    }

    [Fact]
    public void The_same_request_gets_the_same_reply_and_usage_follows_the_profile()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Known);
        var prompt = AnswerPrompt(task, "", ModelFamily.Gpt);
        var gpt = Expert("gpt-5");

        gpt.Respond(prompt, 3).Should().Be(gpt.Respond(prompt, 3));
        var replies = Enumerable.Range(0, 300).Select(s => gpt.Respond(prompt, s)).ToList();
        replies.Average(r => r.CompletionTokens).Should().BeInRange(5640 * 0.9, 5640 * 1.1);
        replies.Average(r => r.LatencySeconds).Should().BeInRange(96 * 0.9, 96 * 1.1);
        replies.Should().OnlyContain(r => r.Simulated && r.TaskId == task.Id && r.PromptTokens > 0);
        replies[0].Content.Should().Contain("simulated");
    }

    [Fact]
    public void A_prompt_from_outside_the_world_gets_a_wrong_answer_not_a_crash()
    {
        var reply = Expert("gpt-5").Respond("Problem:\nWhat is the airspeed of an unladen swallow?");
        reply.TaskId.Should().BeNull();
        reply.Content.Should().Contain("<answer>");
    }

    [Fact]
    public void A_question_shorter_than_the_lookup_key_is_still_recognised()
    {
        var task = World.Tasks.First(t => t.Question.Length < 24); // "Compute 17 * 89 + 787."
        var prompt = AnswerPrompt(task, Context(task, []), ModelFamily.Gpt);

        Expert("gpt-5").FindTask(prompt).Should().Be(task);
        Accuracy(Expert("gpt-5"), task, prompt, ModelFamily.Gpt).Should().BeGreaterThan(0.9);
    }

    [Fact]
    public void Asking_a_model_again_rarely_fixes_a_query_it_does_not_know_how_to_write()
    {
        var qwen = Expert("qwen3-32b");
        var gpt = Expert("gpt-5");
        var searchable = World.Tasks.Where(t => t.SearchQueries.Count > 0).ToList();
        var unknown = searchable.First(t => !qwen.KnowsQuery(t, 0));
        var known = searchable.First(t => qwen.KnowsQuery(t, 0));
        double IdealRate(WorldTask t) =>
            Enumerable.Range(0, 200).Count(s => ExpertPrompts.ExtractQuery(qwen.Respond(ExpertPrompts.Query("", t.Question), s).Content, t.Question) == t.SearchQueries[0]) / 200.0;

        IdealRate(unknown).Should().BeLessThan(0.2, "the gap is a property of (model, question, hop), not of the dice");
        IdealRate(known).Should().BeGreaterThan(0.85);
        qwen.KnowsQuery(unknown, 0).Should().BeFalse("the draw is the same every time");

        // Per difficulty the share of questions a model knows how to search for follows its skill.
        var hard = searchable.Where(t => t.Difficulty == 3).ToList();
        hard.Count(t => gpt.KnowsQuery(t, 0)).Should().BeGreaterThan(hard.Count(t => qwen.KnowsQuery(t, 0)) + hard.Count / 3);
    }

    [Fact]
    public void Rival_facts_in_the_context_cost_weak_readers_more_than_strong_ones()
    {
        var task = World.Tasks.First(t => t.Family == TaskFamily.Lookup && t.Difficulty == 2);
        var fact = World.Facts[task.FactIds[0]];
        var rivals = World.Documents
            .Where(d => d.FactIds.Any(id => id != fact.Id && World.Facts[id].Attribute == fact.Attribute) && !d.FactIds.Contains(fact.Id))
            .Take(3).Select(d => d.Contents).ToList();
        rivals.Should().HaveCount(3);
        var clean = AnswerPrompt(task, Context(task, [DocumentWith(fact.Id)]), ModelFamily.Qwen);
        var noisy = AnswerPrompt(task, Context(task, [DocumentWith(fact.Id), .. rivals]), ModelFamily.Qwen);
        var qwen = Expert("qwen3-32b");
        var gpt = Expert("gpt-5-mini");

        qwen.RivalFacts(task, clean).Should().Be(0, "the entity's other facts answer other attributes");
        qwen.RivalFacts(task, noisy).Should().Be(3);
        qwen.ChanceCorrect(task, clean).Should().Be(qwen.Profile.Reading.Medium);
        var qwenLoss = qwen.ChanceCorrect(task, clean) - qwen.ChanceCorrect(task, noisy);
        var gptLoss = gpt.ChanceCorrect(task, clean) - gpt.ChanceCorrect(task, noisy);
        qwenLoss.Should().BeGreaterThan(0.1);
        gptLoss.Should().BeGreaterThan(0).And.BeLessThan(qwenLoss / 2);
    }
}
