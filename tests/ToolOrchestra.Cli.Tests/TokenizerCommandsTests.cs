using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

/// <summary><c>orchestra tokenize</c> and <c>orchestra render-chat</c> as a user runs them.</summary>
public sealed class TokenizerCommandsTests : IDisposable
{
    private static readonly string TokenizerFolder = SharedData.File("qwen3-tokenizer");
    private readonly string dir = Directory.CreateTempSubdirectory("tokenizer-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public async Task Tokenize_prints_the_ids_and_count_of_the_text()
    {
        var r = await OrchestraProcess.RunAsync("tokenize", "--tokenizer", TokenizerFolder, "--json", "Hello world<|im_end|>");
        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Be("{\"ids\":[9707,1879,151645],\"count\":3}\n");
    }

    [Fact]
    public async Task Tokenize_reads_a_file_exactly_as_written()
    {
        var golden = Golden("tokenizer-cases.json").GetProperty("cases").EnumerateArray()
            .First(c => c.GetProperty("name").GetString() == "csharp code with tabs and crlf");
        var file = Path.Combine(dir, "code.cs");
        await File.WriteAllTextAsync(file, golden.GetProperty("text").GetString());

        var r = await OrchestraProcess.RunAsync("tokenize", "--tokenizer", Path.Combine(TokenizerFolder, "tokenizer.json"), "--file", file);

        r.ExitCode.Should().Be(0, r.Stderr);
        var output = JsonNode.Parse(r.Stdout)!;
        output["ids"]!.AsArray().Select(i => i!.GetValue<int>()).Should().Equal(golden.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()));
        output["count"]!.GetValue<int>().Should().Be(golden.GetProperty("ids").GetArrayLength());
    }

    [Fact]
    public async Task Render_chat_prints_the_reference_prompt_byte_for_byte()
    {
        var golden = Golden("chat-cases.json");
        var item = golden.GetProperty("cases").EnumerateArray().First(c =>
            c.GetProperty("name").GetString() == "tool calls and responses" && c.GetProperty("enable_thinking").ValueKind == JsonValueKind.False);
        var messages = Path.Combine(dir, "messages.json");
        var tools = Path.Combine(dir, "tools.json");
        await File.WriteAllTextAsync(messages, item.GetProperty("messages_json").GetString());
        await File.WriteAllTextAsync(tools, golden.GetProperty("tool_sets").GetProperty(item.GetProperty("tools").GetString()!).GetString());

        var r = await OrchestraProcess.RunAsync("render-chat", "--tokenizer", TokenizerFolder, "--messages", messages, "--tools", tools,
            "--add-generation-prompt", "--no-thinking");

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Be(item.GetProperty("rendered").GetString());
    }

    [Fact]
    public async Task Render_chat_refuses_an_unsupported_template_with_exit_code_2()
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template": "{{ messages }}"}""");
        var messages = Path.Combine(dir, "m.json");
        await File.WriteAllTextAsync(messages, """[{"role": "user", "content": "hi"}]""");

        var r = await OrchestraProcess.RunAsync("render-chat", "--tokenizer", dir, "--messages", messages);

        r.ExitCode.Should().Be(2);
        r.Stderr.Should().StartWith("error: ").And.Contain("not a supported template").And.NotContain("   at ");
    }

    [Fact]
    public async Task Tokenize_without_text_is_a_user_error()
    {
        var r = await OrchestraProcess.RunAsync("tokenize", "--tokenizer", TokenizerFolder);
        r.ExitCode.Should().Be(2);
        r.Stderr.Should().Contain("give the TEXT");
    }

    [Fact]
    public async Task Bench_tokenizer_prints_throughput_and_the_targets()
    {
        var r = await OrchestraProcess.RunAsync("bench", "tokenizer", "--tokenizer", TokenizerFolder, "--no-reference",
            "--size-mb", "0.05", "--seconds", "0.1");
        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("C# Qwen3Tokenizer").And.Contain("MB/s").And.Contain("tokens/s").And.Contain("load ")
            .And.Contain("peak RSS");
    }

    private static JsonElement Golden(string name)
    {
        var path = Path.Combine(SharedData.RepoRoot, "tests", "ToolOrchestra.Models.Tests", "Tokenization", "Golden", name);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.Clone();
    }
}
