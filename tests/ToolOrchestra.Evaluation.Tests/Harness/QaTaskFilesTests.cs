using ToolOrchestra.Environments.Qa;
using Parquet.Serialization;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness;

namespace ToolOrchestra.Evaluation.Tests.Harness;

public sealed class QaTaskFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qa-tasks").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task The_reference_jsonl_keeps_extra_fields_and_accepts_problem_and_numeric_ids()
    {
        var path = Write("frames.jsonl", """
            {"id": "wiki____1", "question": "Q1?", "answer": "A1.", "eid": "e1", "links": ["x"]}

            {"id": 7, "problem": "Q2?", "answer": "A2"}
            """);
        var set = await QaTaskFiles.LoadAsync(path);
        set.Tasks.Select(t => t.Id).Should().Equal("wiki____1", "7");
        set.Tasks[0].Answer.Should().Be("A1.");
        set.Tasks[0].Eid.Should().Be("e1");
        set.Tasks[0].Fields["links"]!.AsArray().Should().HaveCount(1);
        set.Tasks[1].Question.Should().Be("Q2?");
        set.Tasks[1].Eid.Should().Be("7");
    }

    [Theory]
    [InlineData("{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}\n{not json", ":2: not JSON")]
    [InlineData("{\"id\":\"a\",\"answer\":\"x\"}", ":1: needs a string \"question\"")]
    [InlineData("{\"id\":\"a\",\"question\":\"q\"}", ":1: needs a string \"answer\"")]
    [InlineData("{\"question\":\"q\",\"answer\":\"x\"}", ":1: needs an \"id\"")]
    [InlineData("{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}\n{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}", "'a' appears twice")]
    public async Task A_broken_jsonl_names_the_file_and_line(string text, string message)
    {
        var path = Write("bad.jsonl", text);
        var act = () => QaTaskFiles.LoadAsync(path);
        (await act.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("bad.jsonl").And.Contain(message);
    }

    [Fact]
    public async Task Frames_tsv_reads_prompt_answer_and_wiki_links_with_quoted_tabs_and_newlines()
    {
        var path = Write("test.tsv",
            "\tPrompt\tAnswer\twikipedia_link_1\twikipedia_link_2\treasoning_types\n" +
            "0\t\"A prompt with a\ttab and a \"\"quote\"\"\nover two lines?\"\tJane Ballou\thttps://en.wikipedia.org/wiki/A\t\tMulti-hop\n" +
            "1\tSecond?\t37\thttps://en.wikipedia.org/wiki/B\thttps://en.wikipedia.org/wiki/C\tNumerical\n");
        var set = await QaTaskFiles.LoadAsync(path);
        set.Tasks.Should().HaveCount(2);
        set.Tasks[0].Id.Should().Be("0");
        set.Tasks[0].Question.Should().Be("A prompt with a\ttab and a \"quote\"\nover two lines?");
        set.Tasks[0].Answer.Should().Be("Jane Ballou");
        set.Tasks[0].Fields["wiki_links"]!.AsArray().Should().HaveCount(1);
        set.Tasks[1].Fields["wiki_links"]!.AsArray().Should().HaveCount(2);
        set.Tasks[1].Fields["reasoning_types"]!.GetValue<string>().Should().Be("Numerical");
    }

    [Fact]
    public async Task A_tsv_without_prompt_or_with_a_short_row_is_refused_with_the_line()
    {
        var noPrompt = Write("a.tsv", "question\tanswer\nq\ta\n");
        (await FluentActions.Awaiting(() => QaTaskFiles.LoadAsync(noPrompt)).Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("a.tsv:1").And.Contain("Prompt");
        var shortRow = Write("b.tsv", "\tPrompt\tAnswer\n0\tq\ta\n1\tq2\n");
        (await FluentActions.Awaiting(() => QaTaskFiles.LoadAsync(shortRow)).Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("b.tsv:3");
    }

    public sealed class HleRow
    {
        public string id { get; set; } = "";
        public string question { get; set; } = "";
        public string image { get; set; } = "";
        public string answer { get; set; } = "";
        public string category { get; set; } = "";
    }

    [Fact]
    public async Task Hle_parquet_keeps_text_questions_and_counts_image_ones()
    {
        var path = Path.Combine(_dir, "hle.parquet");
        await ParquetSerializer.SerializeAsync(new[]
        {
            new HleRow { id = "h1", question = "What is 6*7?", answer = "42", category = "Math" },
            new HleRow { id = "h2", question = "What is in the picture?", image = "data:image/png;base64,AAAA", answer = "a cat", category = "Other" },
            new HleRow { id = "h3", question = "Name the element Fe.", answer = "Iron", category = "Chemistry" },
        }, path);
        var set = await QaTaskFiles.LoadAsync(path);
        set.Tasks.Select(t => t.Id).Should().Equal("h1", "h3");
        set.SkippedImageQuestions.Should().Be(1);
        set.Tasks[1].Fields["category"]!.GetValue<string>().Should().Be("Chemistry");
        var notParquet = Write("x.parquet", "not parquet");
        (await FluentActions.Awaiting(() => QaTaskFiles.LoadAsync(notParquet)).Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("x.parquet");
    }
}
