using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// <c>orchestra env serve</c> as a user starts it: it listens and answers OpenEnv's reset over plain HTTP; bad options
/// are one line and exit code 2, before anything listens.
/// </summary>
public sealed partial class EnvServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("env-serve-cli").FullName;
    private string Catalog => Path.Combine(_dir, "catalog.json");
    private string Tasks => Path.Combine(_dir, "tasks.jsonl");

    public EnvServeCommandTests()
    {
        // Nobody listens on port 9: reset shows the first prompt without any model call.
        File.WriteAllText(Catalog, File.ReadAllText(Path.Combine(RepoRoot(), "examples", "catalog.sim.json")).Replace("127.0.0.1:1410", "127.0.0.1:9"));
        File.WriteAllText(Tasks, """{"id":"q1","problem":"What is 2+2?","answer":"4"}""" + "\n");
    }

    [GeneratedRegex(@"at (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    [Fact]
    public async Task It_serves_reset_over_http_until_stopped()
    {
        using var process = OrchestraProcess.Start("env", "serve", "--config", Catalog, "--tasks", Tasks, "--port", "0", "--no-code", "--runs-dir", Path.Combine(_dir, "runs"));
        try
        {
            var first = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
            var url = Address().Match(first).Groups[1].Value;
            url.Should().NotBeEmpty(first);
            using var http = new HttpClient { BaseAddress = new Uri(url + "/") };
            using var reset = await http.PostAsync("reset", new StringContent("""{"task_id": "q1"}""", System.Text.Encoding.UTF8, "application/json"));
            var body = JsonNode.Parse(await reset.Content.ReadAsStringAsync())!;
            body["done"]!.GetValue<bool>().Should().BeFalse();
            body["observation"]!["messages"]![1]!["content"]!.GetValue<string>().Should().Contain("What is 2+2?");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("--bind 0.0.0.0", "--api-key-env")]
    [InlineData("--max-sessions 0", "--max-sessions")]
    [InlineData("--session-timeout 0", "--session-timeout")]
    [InlineData("--port 70000", "--port")]
    public async Task Bad_options_are_one_line_and_exit_code_2(string extra, string named)
    {
        var args = new List<string> { "env", "serve", "--config", Catalog, "--tasks", Tasks };
        args.AddRange(extra.Split(' '));
        var result = await OrchestraProcess.RunAsync([.. args]);
        result.ExitCode.Should().Be(2, result.Stderr);
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain(named);
    }

    [Fact]
    public async Task A_missing_task_file_is_named()
    {
        var result = await OrchestraProcess.RunAsync("env", "serve", "--config", Catalog, "--tasks", Path.Combine(_dir, "nope.jsonl"));
        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("nope.jsonl");
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ToolOrchestra.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above the test binaries");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
