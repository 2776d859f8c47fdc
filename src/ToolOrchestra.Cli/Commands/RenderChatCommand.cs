using System.CommandLine;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Models.Tokenization;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra render-chat --tokenizer PATH --messages M.json [--tools T.json] [--add-generation-prompt] [--no-thinking]</c>:
/// prints the prompt the Qwen3 chat template makes of a conversation, byte for byte, with no newline added.
/// </summary>
internal static class RenderChatCommand
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "Folder holding tokenizer_config.json (its chat_template is used), or that file, or tokenizer.json beside it",
            Required = true,
        };
        var messages = new Option<string>("--messages")
        {
            Description = "JSON file: an array of messages (role, content, reasoning_content, tool_calls), or an object with \"messages\" (and \"tools\")",
            Required = true,
        };
        var tools = new Option<string?>("--tools") { Description = "JSON file: an array of tool definitions, or an object with \"tools\"" };
        var generationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the assistant header, ready for generation" };
        var noThinking = new Option<bool>("--no-thinking") { Description = "Pass enable_thinking=false (an empty think block after the generation prompt)" };

        var command = new Command("render-chat", "Render a conversation with the Qwen3 chat template");
        foreach (var option in new Option[] { tokenizer, messages, tools, generationPrompt, noThinking }) command.Options.Add(option);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var template = ChatTemplate.Load(ConfigPath(parse.GetValue(tokenizer)!));
            var messagesFile = parse.GetValue(messages)!;
            var (messagesJson, embeddedTools) = ReadPart(messagesFile, "messages", "tools");
            var toolsJson = parse.GetValue(tools) is { } toolsFile ? ReadPart(toolsFile, "tools", null).Part : embeddedTools;
            var text = template.RenderJson(messagesJson, toolsJson, parse.GetValue(generationPrompt), !parse.GetValue(noThinking), messagesFile);

            await using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(text), c);
            return 0;
        }, ct));
        return command;
    }

    /// <summary>tokenizer_config.json from a folder, the file itself, or a tokenizer.json beside it.</summary>
    private static string ConfigPath(string path) =>
        File.Exists(path) && !Path.GetFileName(path).Equals("tokenizer_config.json", StringComparison.OrdinalIgnoreCase)
            ? Path.GetDirectoryName(Path.GetFullPath(path))!
            : path;

    /// <summary>The JSON text of a file, or of its <paramref name="name"/> field when the file holds an object.</summary>
    private static (string Part, string? Extra) ReadPart(string file, string name, string? extraName)
    {
        if (!File.Exists(file)) throw new UserError($"{file}: file not found. Check the --{name} path.");
        var text = File.ReadAllText(file, new UTF8Encoding(false));
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (text, null);
            if (!doc.RootElement.TryGetProperty(name, out var part))
                throw new UserError($"{file}: expected a JSON array of {name}, or an object with a \"{name}\" field.");
            var extra = extraName is not null && doc.RootElement.TryGetProperty(extraName, out var e) && e.ValueKind != JsonValueKind.Null
                ? e.GetRawText() : null;
            return (part.GetRawText(), extra);
        }
        catch (JsonException ex)
        {
            throw new UserError($"{file}: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
    }
}
