using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Evaluation.Tests.Harness.Gaia;

/// <summary>
/// GAIA end to end against a fake OpenAI-compatible server over real HTTP, on a GAIA-format folder written at test
/// time: one task per attachment kind (the gold is a marker only the attached file holds), a task whose gold is on a web
/// page (a local server, reached with --allow-private-urls), and tasks the scorer's rules decide. The orchestrator calls
/// read_file or fetch_url when the problem names a file or URL and has not read it yet, then answer-1; the expert
/// finds the marker in what was read and answers with GAIA's FINAL ANSWER template.
/// </summary>
public sealed partial class GaiaHarnessTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private WebApplication _site = null!;
    private Uri _siteUrl = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("gaia-harness").FullName;
    private readonly Dictionary<string, string> _plainAnswers = new(StringComparer.Ordinal);

    [GeneratedRegex(@"GAIAMARK[A-Z]+\d")]
    private static partial Regex Marker();

    [GeneratedRegex(@"Attached file: (\S+) \(read it")]
    private static partial Regex AttachedFile();

    [GeneratedRegex(@"Page: (http\S+)")]
    private static partial Regex PageUrl();

    public async Task InitializeAsync()
    {
        _site = LoopbackWebApp.Create(0);
        _site.MapGet("/bird", () => Results.Text("<html><body><p>The answer is <b>GAIAMARKWEB7</b>.</p><script>GAIAMARKSCRIPT1</script></body></html>", "text/html"));
        _siteUrl = await LoopbackWebApp.StartAsync(_site);
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = request =>
        {
            var text = request.LastUserText;
            if (request.ToolNames.Count > 0) // the orchestrator
            {
                if (AttachedFile().Match(text) is { Success: true } file && !text.Contains("read_file returned:", StringComparison.Ordinal))
                    return FakeReply.Call("read_file", new { file_name = file.Groups[1].Value });
                if (PageUrl().Match(text) is { Success: true } page && !text.Contains("fetch_url returned:", StringComparison.Ordinal))
                    return FakeReply.Call("fetch_url", new { url = page.Groups[1].Value });
                return FakeReply.Call("answer", new { model = "answer-1" });
            }
            var found = Marker().Match(text);
            var answer = found.Success ? found.Value : _plainAnswers.First(kv => text.Contains(kv.Key, StringComparison.Ordinal)).Value;
            return new FakeReply($"<think>checking</think><answer>The evidence settles it.\nFINAL ANSWER: {answer}</answer>");
        };
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _site.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private string Catalog()
    {
        var path = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(path, $$$$"""
            {"orchestrator":{"model":"orch"},
             "models":{"orch":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"orch-8b","price":{"input_per_million":0.2,"output_per_million":0.6}},
                       "gpt-5":{"endpoint":"{{{{_server.BaseUrl}}}}","name":"gpt-5","price":{"input_per_million":1.25,"output_per_million":10}}},
             "aliases":{"answer-1":"gpt-5","search-1":"gpt-5"},
             "tool_prices":{"per_tool":{"read_file":0.0001}},
             "limits":{"max_retries":0,"max_turns":4}}
            """);
        return path;
    }

    /// <summary>A GAIA folder: metadata.jsonl (validation-style, or test-style with "?" answers) and the attached files.</summary>
    private (string Metadata, List<(string Id, int Level, string? Gold)> Tasks) Folder(string name, bool testSplit = false)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;
        var tasks = new List<(string Id, int Level, string? Gold, string Question, string File)>();
        var i = 0;
        foreach (var extension in AttachmentSamples.Extensions)
        {
            var marker = $"GAIAMARK{extension.ToUpperInvariant()}{i % 10}";
            var id = $"{name}-file-{extension}";
            var file = AttachmentSamples.Write(dir, id, extension, marker);
            tasks.Add((id, i % 3 + 1, marker, $"What code does the attached {extension} file give?", file));
            i++;
        }
        tasks.Add(($"{name}-web", 3, "GAIAMARKWEB7", $"Which code does the page give? Page: {new Uri(_siteUrl, "bird")}", ""));
        foreach (var (id, level, gold, question, expert) in new[]
        {
            ($"{name}-num", 1, "1234", $"How many, {name}?", "$1,234"),
            ($"{name}-list", 2, "apple, banana; 3", $"Which fruits, {name}?", "Apple,banana;3.0"),
            ($"{name}-str", 3, "sea gull", $"Which bird, {name}?", "Seagull."),
        })
        {
            _plainAnswers[question] = expert;
            tasks.Add((id, level, gold, question, ""));
        }
        var metadata = Path.Combine(dir, "metadata.jsonl");
        File.WriteAllLines(metadata, tasks.Select(t => new JsonObject
        {
            ["task_id"] = t.Id, ["Question"] = t.Question, ["Level"] = t.Level.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Final answer"] = testSplit ? "?" : t.Gold, ["file_name"] = t.File,
            ["Annotator Metadata"] = new JsonObject { ["Steps"] = "kept as GAIA ships it" },
        }.ToJsonString()));
        return (metadata, tasks.Select(t => (t.Id, t.Level, testSplit ? null : (string?)t.Gold)).ToList());
    }

    private EvalRunOptions Options(string metadata, string runId, string setup = "orchestrated") => new()
    {
        Benchmark = "gaia", Tasks = metadata, Config = Catalog(), Setup = setup, Store = Path.Combine(_dir, "eval.db"), RunId = runId,
        NoCode = true, Concurrency = 3, AllowPrivateUrls = true, Submission = Path.Combine(_dir, $"{runId}.jsonl"),
    };

    private static async Task<(EvalRunSummary Summary, IReadOnlyList<EvalSample> Samples, GaiaBenchmark Benchmark)> RunAsync(EvalRunOptions options)
    {
        await using var store = await EvalStore.OpenAsync(StoreLocation.Parse(options.Store));
        var benchmark = (GaiaBenchmark)await EvalBenchmarks.CreateAsync(options, store, default);
        await using var _ = benchmark;
        var summary = await EvalRunner.RunAsync(options, store, benchmark);
        await GaiaSubmission.WriteAsync(store, options.RunId, benchmark.Tasks, options.Submission!);
        return (summary, await store.LoadSamplesAsync(options.RunId, withTrajectories: true), benchmark);
    }

    /// <summary>The leaderboard's checks: one JSON object per line with string task_id and model_answer (reasoning_trace optional, a string), every task exactly once.</summary>
    private static void ValidateSubmission(string path, IEnumerable<string> taskIds)
    {
        var seen = new List<string>();
        foreach (var line in File.ReadAllLines(path))
        {
            var row = JsonDocument.Parse(line).RootElement;
            row.ValueKind.Should().Be(JsonValueKind.Object);
            row.GetProperty("task_id").ValueKind.Should().Be(JsonValueKind.String);
            row.GetProperty("model_answer").ValueKind.Should().Be(JsonValueKind.String);
            if (row.TryGetProperty("reasoning_trace", out var trace)) trace.ValueKind.Should().Be(JsonValueKind.String);
            row.EnumerateObject().Select(p => p.Name).Should().BeSubsetOf(["task_id", "model_answer", "reasoning_trace"]);
            seen.Add(row.GetProperty("task_id").GetString()!);
        }
        seen.Should().BeEquivalentTo(taskIds).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Experts_answering_the_gold_from_every_attachment_kind_and_a_page_score_100_percent_at_every_level()
    {
        var (metadata, tasks) = Folder("validation");
        var (summary, samples, _) = await RunAsync(Options(metadata, "gaia-val"));
        samples.Where(s => s.Correct != true).Select(s => $"{s.SampleId}: {s.Answer} vs {s.Gold} ({s.Error})").Should().BeEmpty();
        summary.Accuracy.Should().Be(1.0);
        samples.Should().HaveCount(tasks.Count).And.OnlyContain(s => s.VerdictSource == "gaia_scorer");
        var levels = GaiaLevels.Of(samples);
        levels.Select(l => l.Level).Should().Equal(1, 2, 3, 0);
        levels.Should().OnlyContain(l => l.Accuracy == 1.0 && l.Scored == l.Tasks && l.DollarsPerTask > 0);

        var byId = samples.ToDictionary(s => s.TaskId!);
        byId["validation-file-xlsx"].SampleId.Should().StartWith("L").And.EndWith("/validation-file-xlsx");
        byId["validation-file-pdf"].TrajectoryJson.Should().Contain("read_file");
        JsonNode.Parse(byId["validation-file-docx"].CallsJson)!.AsArray().Should().Contain(c => c!["tool"]!.GetValue<string>() == "read_file" && c["cost_usd"]!.GetValue<decimal>() == 0.0001m);
        byId["validation-web"].TrajectoryJson.Should().Contain("fetch_url returned:").And.NotContain("GAIAMARKSCRIPT1");
        byId["validation-num"].Answer.Should().Be("$1,234", "the template's answer is scored as GAIA scores it");

        await using (var store = await EvalStore.OpenAsync(StoreLocation.Parse(Path.Combine(_dir, "eval.db"))))
        {
            var report = await EvalReport.BuildAsync(store, new ReportRequest(["gaia-val"]));
            report.GaiaLevels.Should().ContainSingle().Which.Levels.Should().BeEquivalentTo(levels);
            MarkdownReport.Write(report).Should().Contain("## GAIA by level").And.Contain("| gaia-val | 2 |").And.Contain("| gaia-val | all | 17 | 17 | 100.0% |");
            JsonReport.Write(report).Should().Contain("\"gaia_levels\"");
        }

        ValidateSubmission(Path.Combine(_dir, "gaia-val.jsonl"), tasks.Select(t => t.Id));
        var first = JsonDocument.Parse(File.ReadLines(Path.Combine(_dir, "gaia-val.jsonl")).First()).RootElement;
        first.GetProperty("model_answer").GetString().Should().Be("GAIAMARKTXT0");
        first.GetProperty("reasoning_trace").GetString().Should().Contain("read_file").And.Contain("answer");
    }

    [Fact]
    public async Task The_test_split_runs_unscored_and_writes_the_submission_and_a_level_filter_keeps_one_level()
    {
        var (metadata, tasks) = Folder("test", testSplit: true);
        var (summary, samples, benchmark) = await RunAsync(Options(metadata, "gaia-test"));
        benchmark.Notes.Should().Contain(n => n.Contains("have no answer (GAIA's test split)"));
        samples.Should().HaveCount(tasks.Count).And.OnlyContain(s => s.Correct == null && s.IsNotEvaluated && s.Answer != null);
        summary.NotEvaluated.Should().Be(tasks.Count);
        ValidateSubmission(Path.Combine(_dir, "gaia-test.jsonl"), tasks.Select(t => t.Id));
        File.ReadAllLines(Path.Combine(_dir, "gaia-test.jsonl")).Should().Contain(l => l.Contains("\"model_answer\":\"GAIAMARKWEB7\""));

        var (_, level2, _) = await RunAsync(Options(metadata, "gaia-test-l2") with { Level = 2 });
        level2.Should().NotBeEmpty().And.OnlyContain(s => s.SampleId.StartsWith("L2/"));
    }

    [Fact]
    public async Task Direct_gets_the_attachment_inline_and_private_pages_are_refused_without_the_flag()
    {
        var (metadata, _) = Folder("direct");
        var (_, direct, _) = await RunAsync(Options(metadata, "gaia-direct", "direct") with { Level = 1 });
        direct.Where(s => s.TaskId!.Contains("file")).Should().NotBeEmpty().And.OnlyContain(s => s.Correct == true);

        var (_, guarded, _) = await RunAsync(Options(metadata, "gaia-guarded") with { AllowPrivateUrls = false, Level = 3 });
        guarded.Single(s => s.TaskId == "direct-web").Should().Match<EvalSample>(s => s.Correct == false);
        guarded.Single(s => s.TaskId == "direct-web").TrajectoryJson.Should().Contain("Refused:");
    }

    [Fact]
    public void Bad_folders_are_user_errors_naming_the_place()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "bad")).FullName;
        var path = Path.Combine(dir, "metadata.jsonl");
        File.WriteAllText(path, """{"task_id":"t1","Question":"Q?","Level":"1","Final answer":"x","file_name":"missing.xlsx"}""" + "\n");
        FluentActions.Invoking(() => GaiaTaskFile.Load(path)).Should().Throw<Core.UserError>().WithMessage("*metadata.jsonl:1*'missing.xlsx'*--attachments*");
        File.WriteAllText(path, """{"task_id":"t1","Question":"Q?","Level":"1","Final answer":"x","file_name":"../etc/passwd"}""" + "\n");
        FluentActions.Invoking(() => GaiaTaskFile.Load(path)).Should().Throw<Core.UserError>().WithMessage("*plain file name*");
        File.WriteAllText(path, """{"task_id":"t1","Question":"Q?","Level":"7"}""" + "\n");
        FluentActions.Invoking(() => GaiaTaskFile.Load(path)).Should().Throw<Core.UserError>().WithMessage("*metadata.jsonl:1*Level*");
        FluentActions.Invoking(() => GaiaTaskFile.Load(path, level: 4)).Should().Throw<Core.UserError>().WithMessage("--level must be 1, 2 or 3*");
    }

    [Theory]
    [InlineData("Reasoning…\nFINAL ANSWER: 42", "42")]
    [InlineData("final answer: Paris\nbecause", "Paris")]
    [InlineData("FINAL ANSWER: a\nFINAL ANSWER:  b ", "b")]
    [InlineData("  just this  ", "just this")]
    [InlineData("FINAL ANSWER:", null)]
    public void The_answer_is_read_from_the_final_answer_template(string text, string? expected) =>
        GaiaAnswer.Extract(text).Should().Be(expected);
}
