using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Models.Tokenization;

namespace ToolOrchestra.Models.Tests.Tokenization;

/// <summary>The Qwen3 template renders every golden conversation byte for byte as @huggingface/jinja did.</summary>
public sealed class ChatTemplateTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("chat-template-test-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Renders_every_golden_conversation_like_the_reference()
    {
        var golden = Golden.Load("chat-cases.json");
        var toolSets = golden.GetProperty("tool_sets");
        var template = ChatTemplate.Load(Golden.TokenizerFolder);
        var failures = new List<string>();
        var rendered = 0;
        foreach (var item in golden.GetProperty("cases").EnumerateArray())
        {
            var name = $"{item.GetProperty("name")} (generation prompt {item.GetProperty("add_generation_prompt")}, thinking {item.GetProperty("enable_thinking")})";
            var tools = item.GetProperty("tools").GetString() is { } set ? toolSets.GetProperty(set).GetString() : null;
            var thinking = item.GetProperty("enable_thinking").ValueKind != System.Text.Json.JsonValueKind.False;
            string? actual = null;
            string? error = null;
            try
            {
                actual = template.RenderJson(item.GetProperty("messages_json").GetString()!, tools,
                    item.GetProperty("add_generation_prompt").GetBoolean(), thinking);
            }
            catch (UserError e)
            {
                error = e.Message;
            }

            if (item.TryGetProperty("rendered", out var expected))
            {
                rendered++;
                if (actual != expected.GetString())
                    failures.Add($"{name}: {(error is null ? $"first difference at char {FirstDifference(actual!, expected.GetString()!)}" : error)}");
            }
            else if (error is null)
                failures.Add($"{name}: the reference failed ({item.GetProperty("error")}) but this rendered");
        }
        rendered.Should().BeGreaterThan(250);
        failures.Should().BeEmpty();
    }

    [Fact]
    public void Typed_messages_render_as_their_json_form()
    {
        var tools = new List<JsonNode>
        {
            JsonNode.Parse("""{"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {"model": {"type": "string"}}}}}""")!,
        };
        var messages = new List<ChatMessage>
        {
            ChatMessage.System("You route questions."),
            ChatMessage.User("Capital of Australia?"),
            ChatMessage.Assistant("", "Search first.", [ChatToolCall.FromJson("search", """{"model": "search-1", "n": 2}"""),
                new ChatToolCall("search", JsonValue.Create("""{"model":"raw"}"""))]),
            ChatMessage.Tool("Canberra"),
            ChatMessage.Tool("Sydney is larger"),
            ChatMessage.Assistant("Canberra.", "The first result answers it."),
            ChatMessage.User("Thanks"),
        };
        const string json = """
        [{"role": "system", "content": "You route questions."}, {"role": "user", "content": "Capital of Australia?"},
         {"role": "assistant", "content": "", "reasoning_content": "Search first.", "tool_calls": [
           {"type": "function", "function": {"name": "search", "arguments": {"model": "search-1", "n": 2}}},
           {"type": "function", "function": {"name": "search", "arguments": "{\"model\":\"raw\"}"}}]},
         {"role": "tool", "content": "Canberra"}, {"role": "tool", "content": "Sydney is larger"},
         {"role": "assistant", "content": "Canberra.", "reasoning_content": "The first result answers it."},
         {"role": "user", "content": "Thanks"}]
        """;
        var typed = ChatTemplate.Qwen3.Render(messages, tools, addGenerationPrompt: true, enableThinking: false);
        typed.Should().Be(ChatTemplate.Qwen3.RenderJson(json, "[" + tools[0].ToJsonString() + "]", true, false));
        typed.Should().Contain("<tool_call>\n{\"name\": \"search\", \"arguments\": {\"model\": \"search-1\", \"n\": 2}}\n</tool_call>\n" +
                               "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"model\":\"raw\"}}\n</tool_call><|im_end|>");
        typed.Should().Contain("<|im_start|>user\n<tool_response>\nCanberra\n</tool_response>\n<tool_response>\nSydney is larger\n</tool_response><|im_end|>\n");
        typed.Should().EndWith("<|im_start|>user\nThanks<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        typed.Should().NotContain("Search first.", "reasoning before the last user query is dropped by the template");
    }

    [Fact]
    public void The_rendered_prompt_tokenizes_with_special_tokens_as_single_ids()
    {
        var prompt = ChatTemplate.Qwen3.Render([ChatMessage.User("Hi")], addGenerationPrompt: true);
        prompt.Should().Be("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        Golden.Tokenizer.TryGetId("<|im_start|>", out var imStart);
        Golden.Tokenizer.Encode(prompt).Count(id => id == imStart).Should().Be(2);
    }

    [Fact]
    public void Null_assistant_content_is_a_clear_error_as_in_the_reference()
    {
        FluentActions.Invoking(() => ChatTemplate.Qwen3.Render([ChatMessage.User("u"), new ChatMessage("assistant", null)]))
            .Should().Throw<UserError>().WithMessage("messages[1].content is null*use \"\"*");
    }

    [Fact]
    public void Another_template_is_refused_with_a_clear_message()
    {
        var config = Path.Combine(dir, "tokenizer_config.json");
        File.WriteAllText(config, """{"chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}"}""");
        FluentActions.Invoking(() => ChatTemplate.Load(dir))
            .Should().Throw<UserError>().WithMessage($"{config}: chat_template is not a supported template*Qwen3*");
        File.WriteAllText(config, """{"eos_token": "x"}""");
        FluentActions.Invoking(() => ChatTemplate.Load(config))
            .Should().Throw<UserError>().WithMessage("*missing required field 'chat_template'*");
    }

    [Fact]
    public void Messages_that_are_not_a_json_array_are_refused()
    {
        FluentActions.Invoking(() => ChatTemplate.Qwen3.RenderJson("""{"role": "user"}""", what: "m.json"))
            .Should().Throw<UserError>().WithMessage("m.json: expected a JSON array of messages*");
        FluentActions.Invoking(() => ChatTemplate.Qwen3.RenderJson("[{]", what: "m.json"))
            .Should().Throw<UserError>().WithMessage("m.json: not valid JSON*");
    }

    private static int FirstDifference(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return n;
    }
}
