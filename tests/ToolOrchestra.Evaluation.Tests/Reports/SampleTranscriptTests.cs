using ToolOrchestra.Environments.Qa;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using static ToolOrchestra.Evaluation.Tests.Reports.SeededRuns;

namespace ToolOrchestra.Evaluation.Tests.Reports;

/// <summary>
/// A stored sample read back as a transcript (what <c>orchestra eval show</c> and the HTML report print): the judge's
/// reasoning from its cache, tau2's conversation as turns, and report links that resolve.
/// </summary>
public class SampleTranscriptTests
{
    [Fact]
    public async Task A_judged_sample_shows_the_judges_cached_reasoning()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("judged") with { SettingsJson = """{"judge_model":"gpt-5"}""" });
        var sample = Sample("judged", "t1", true, Ledger(("answer-1", "gpt-5", 0.01m, 1))) with { Answer = "Paris, France", Gold = "Paris", VerdictSource = "judge" };
        await store.SaveSampleAsync(sample);
        await store.SaveVerdictAsync(new JudgeVerdict(AnswerJudge.CacheKey("gpt-5", "question t1", "Paris", "Paris, France"), true, "gpt-5", 0.001m,
            "The student names the same city. <correct>True</correct>"));

        var t = (await SampleTranscript.LoadAsync(store, "judged", ["t1"])).Single();

        t.Question.Should().Be("question t1");
        t.Verdict.Should().Be("correct");
        t.VerdictSourceText.Should().Be("judge");
        t.JudgeModel.Should().Be("gpt-5");
        t.JudgeReasoning.Should().Contain("same city");
        t.Turns.Single().Tool.Should().Be("answer");
        t.Turns.Single().Alias.Should().Be("answer-1");
        t.Calls.Should().HaveCount(2);
        var json = JsonNode.Parse(t.ToJson())!.AsObject();
        json["error"].Should().BeNull("absent keys are written as null");
        json.ContainsKey("error").Should().BeTrue();
    }

    [Fact]
    public async Task A_tau2_sample_shows_the_conversation_and_each_tool_result()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("tau2", benchmark: "tau2"));
        var trajectory = new JsonObject
        {
            ["task_id"] = "0", ["trial"] = 1,
            ["messages"] = JsonNode.Parse("""
                [{"role":"assistant","content":"Hi! How can I help?"},
                 {"role":"user","content":"Cancel reservation ABC."},
                 {"role":"assistant","content":null,"tool_calls":[{"id":"c1","name":"get_reservation_details","arguments":{"reservation_id":"ABC"}}]},
                 {"role":"tool","id":"c1","content":"{\"status\":\"confirmed\"}","error":false},
                 {"role":"assistant","content":"Done."}]
                """),
            ["reward_info"] = JsonNode.Parse("""{"reward":1,"nl_assertions":[{"nl_assertion":"agent cancels","met":true,"justification":"it did"}]}"""),
        };
        await store.SaveSampleAsync(new EvalSample("tau2", "0#1")
        {
            TaskId = "0", Correct = true, Reward = 1, VerdictSource = "tau2", Turns = 3, TrajectoryJson = trajectory.ToJsonString(),
        });

        var t = (await SampleTranscript.LoadAsync(store, "tau2", ["0"])).Single(); // a task id names its trials

        t.SampleId.Should().Be("0#1");
        t.Question.Should().Be("Cancel reservation ABC.");
        t.Turns.Select(u => u.Role).Should().Equal("assistant", "user", "assistant", "assistant");
        var call = t.Turns[2];
        call.Tool.Should().Be("get_reservation_details");
        call.Arguments.Should().Contain("ABC");
        call.Observation.Should().Contain("confirmed");
        t.JudgeReasoning.Should().Be("agent cancels: met — it did");
    }

    [Fact]
    public async Task Unknown_runs_and_samples_name_those_that_exist()
    {
        await using var store = await SqliteAsync();
        await store.BeginRunAsync(Run("a"));
        await store.SaveSampleAsync(Sample("a", "t1", true, Ledger(("answer-1", "gpt-5", 0.01m, 1))));

        var run = () => SampleTranscript.LoadAsync(store, "b", []);
        (await run.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("run 'b' is not in").And.Contain("it holds a.");
        var sample = () => SampleTranscript.LoadAsync(store, "a", ["t9"]);
        (await sample.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("sample 't9' is not in run 'a'").And.Contain("it holds t1.");
    }

    [Fact]
    public async Task Without_run_ids_the_report_covers_every_run_and_its_html_links_each_sample_to_its_transcript()
    {
        await using var store = await SqliteAsync();
        foreach (var id in new[] { "one", "two" })
        {
            await store.BeginRunAsync(Run(id));
            for (var i = 1; i <= 2; i++) await store.SaveSampleAsync(Sample(id, $"t{i}#x", i == 1, Ledger(("search-1", "gpt-5", 0.01m, 1), ("answer-1", "gpt-5", 0.01m, 1))));
        }
        var report = await EvalReport.BuildAsync(store, new ReportRequest([]));
        report.Runs.Select(r => r.RunId).Should().Equal("one", "two");

        var transcripts = new List<SampleTranscript>();
        foreach (var r in report.Runs) transcripts.AddRange(await SampleTranscript.LoadAsync(store, r.RunId, []));
        var html = HtmlReport.Write(report, transcripts);

        var ids = Regex.Matches(html, "\\sid=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        ids.Should().OnlyHaveUniqueItems();
        var links = Regex.Matches(html, "href=\"#([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        links.Where(l => l.StartsWith("sample-", StringComparison.Ordinal)).Should().HaveCount(4, "one link per sample");
        links.Should().OnlyContain(l => ids.Contains(l), "every in-page link has its target");
        var first = html[html.IndexOf($"id=\"{links.First(l => l.StartsWith("sample-", StringComparison.Ordinal))}\"", StringComparison.Ordinal)..];
        first[..first.IndexOf("</div>", StringComparison.Ordinal)].Should().Contain("question t1#x").And.Contain("search-1").And.Contain("observation");
    }
}
