using System.Text.Json.Nodes;

namespace ToolOrchestra.Cli.Tests;

public sealed class IndexSearchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("index-cli").FullName;

    [Fact]
    public async Task Queries_file_prints_one_json_line_per_query_with_hits_and_ms()
    {
        var corpus = Path.Combine(_dir, "corpus.jsonl");
        File.WriteAllLines(corpus,
        [
            """{"id": "eiffel", "contents": "The Eiffel Tower in Paris was completed in 1889."}""",
            """{"id": "tokyo", "contents": "Tokyo Tower is a communications tower in Minato, Tokyo."}""",
            """{"id": "python", "contents": "Python is a programming language created by Guido van Rossum."}""",
        ]);
        var index = Path.Combine(_dir, "index");
        (await OrchestraProcess.RunAsync("index", "build", "--corpus", corpus, "--out", index)).ExitCode.Should().Be(0);
        var queries = Path.Combine(_dir, "queries.txt");
        File.WriteAllLines(queries, ["Eiffel tower Paris", "", "who created Python?", "\"unbalanced AND ("]);

        var r = await OrchestraProcess.RunAsync("index", "search", "--index", index, "--queries", queries, "--top-k", "1", "--json");

        r.ExitCode.Should().Be(0, r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Select(l => l["line"]!.GetValue<int>()).Should().Equal(1, 3, 4);
        lines[0]["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()).Should().Equal("eiffel");
        lines[1]["hits"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()).Should().Equal("python");
        lines[2]["hits"]!.AsArray().Should().BeEmpty();
        lines.Should().OnlyContain(l => l["ms"]!.GetValue<double>() >= 0 && l["query"] != null);

        var neither = await OrchestraProcess.RunAsync("index", "search", "--index", index);
        neither.ExitCode.Should().Be(2);
        neither.Stderr.Should().Contain("--queries");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
