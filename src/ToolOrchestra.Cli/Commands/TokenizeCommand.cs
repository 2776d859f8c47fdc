using System.CommandLine;
using System.Text;
using ToolOrchestra.Core;
using ToolOrchestra.Models.Tokenization;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra tokenize --tokenizer PATH [--json] [--file F | TEXT]</c>: the Qwen3 token ids of a text, printed as
/// <c>{"ids":[...],"count":N}</c>. Special tokens written in the text (<c>&lt;|im_start|&gt;</c>) become their ids.
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "Folder holding tokenizer.json, or the tokenizer.json file",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\":[...],\"count\":N} (the default output)" };
        var file = new Option<string?>("--file") { Description = "Read the text from this UTF-8 file ('-' for standard input) instead of TEXT" };
        var text = new Argument<string?>("TEXT") { Description = "The text to tokenize", Arity = ArgumentArity.ZeroOrOne };

        var command = new Command("tokenize", "Print the Qwen3 token ids and count of a text");
        command.Options.Add(tokenizer);
        command.Options.Add(json);
        command.Options.Add(file);
        command.Arguments.Add(text);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var input = await ReadInput(parse.GetValue(file), parse.GetValue(text), c);
            var ids = Qwen3Tokenizer.Load(parse.GetValue(tokenizer)!).Encode(input);
            var output = new StringBuilder(ids.Length * 7 + 32).Append("{\"ids\":[");
            for (var i = 0; i < ids.Length; i++)
            {
                if (i > 0) output.Append(',');
                output.Append(ids[i]);
            }
            output.Append("],\"count\":").Append(ids.Length).Append("}\n");
            await Console.Out.WriteAsync(output.ToString());
            await Console.Out.FlushAsync(c);
            return 0;
        }, ct));
        return command;
    }

    private static async Task<string> ReadInput(string? file, string? text, CancellationToken ct)
    {
        if (file is not null && text is not null)
            throw new UserError("tokenize: give either TEXT or --file, not both.");
        if (file == "-")
        {
            using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            return await stdin.ReadToEndAsync(ct);
        }
        if (file is not null)
        {
            return File.Exists(file)
                ? await File.ReadAllTextAsync(file, new UTF8Encoding(false), ct)
                : throw new UserError($"{file}: file not found. Check the --file path.");
        }
        return text ?? throw new UserError("tokenize: give the TEXT to tokenize or --file F.");
    }
}
