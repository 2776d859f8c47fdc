using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Cli;

/// <summary>
/// System.CommandLine's parse errors (unknown option, missing value, "abc" for a number) as the one-line, exit-code-2
/// errors every other bad input gets, instead of its default help dump and exit code 1.
/// </summary>
internal static partial class ParseErrors
{
    public static int Report(ParseResult parse)
    {
        // An option-like argument explains the errors it causes ("--frobnicate" taken as the question leaves "q" unmatched).
        if (OptionLikeArgument(parse) is { } unknown)
            return Report(parse, $"unknown option '{unknown}'{DidYouMean(parse.CommandResult.Command, unknown) ?? "; an argument that starts with '-' goes after --."}");
        // "Unrecognized command 'x'" says more than the "Required command was not provided" that comes with it.
        var first = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
        if (Unrecognized().Match(first.Message) is { Success: true } m)
        {
            var token = m.Groups["token"].Value;
            var what = token.StartsWith('-') ? "option" : "command";
            return Report(parse, $"unknown {what} '{token}'{DidYouMean(parse.CommandResult.Command, token) ?? "."}");
        }
        return Report(parse, Reword(first.Message));
    }

    /// <summary>Names that changed, so an old command line gets the new name rather than a guess.</summary>
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["--judge-model"] = "--judge",
        ["--max-steps"] = "--max-turns",
        ["--catalog"] = "--config",
        ["--results"] = "--out",
        ["--output"] = "--out",
        ["--tasks"] = "--task-ids",
    };

    /// <summary>"; did you mean '--top-k'?" (or "; it is now '--judge'.") for the closest option or subcommand of <paramref name="command"/>, or null.</summary>
    internal static string? DidYouMean(Command command, string token)
    {
        // A command slip may be a level up ("evl run" parses as run with a stray "evl"): the commands on the path offer theirs.
        var names = token.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : Path(command).SelectMany(c => c.Subcommands).Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        var candidates = names.Distinct(StringComparer.Ordinal).ToList();
        if (Renamed.FirstOrDefault(r => Distance(token, r.Key) <= 1 && candidates.Contains(r.Value)) is { Key: not null } renamed)
            return $"; it is now '{renamed.Value}'.";
        var best = candidates.Select(n => (Name: n, Distance: Distance(token, n))).OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        // Close enough to be a slip: a third of the name's letters, at least two.
        return best.Name is not null && best.Distance <= Math.Max(2, token.TrimStart('-').Length / 3) ? $"; did you mean '{best.Name}'?" : null;
    }

    private static IEnumerable<Command> Path(Command command)
    {
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault()) yield return c;
    }

    /// <summary>Edit distance (insertions, deletions, substitutions, adjacent swaps).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>Whether the command line holds an error: a parse error or an unknown option taken as an argument.</summary>
    public static bool Any(ParseResult parse) => parse.Errors.Count > 0 || OptionLikeArgument(parse) is not null;

    private static int Report(ParseResult parse, string message)
    {
        var command = string.Join(' ', CommandPath(parse.CommandResult));
        var where = command.Length == 0 ? "" : $"{command}: ";
        Console.Error.WriteLine($"error: {where}{message} (see ./orchestra {command}{(command.Length == 0 ? "" : " ")}--help)");
        return CliRunner.BadInput;
    }

    /// <summary>
    /// A token starting with '-' that System.CommandLine gave to a command's argument because no option has that name
    /// (<c>run --json --frobnicate</c> would ask "--frobnicate"): an unknown option, unless it comes after <c>--</c>.
    /// Option values ("--budget-usd -1") are the option's to check.
    /// </summary>
    private static string? OptionLikeArgument(ParseResult parse)
    {
        var arguments = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        for (var r = parse.CommandResult; r is not null; r = r.Parent as CommandResult)
            foreach (var argument in r.Children.OfType<ArgumentResult>())
                arguments.UnionWith(argument.Tokens);
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) break;
            if (token.Value.Length > 1 && token.Value[0] == '-' && arguments.Contains(token)) return token.Value;
        }
        return null;
    }

    /// <summary>"Cannot parse argument 'abc' for option '--x' as expected type 'System.Int32'" says what a user can act on.</summary>
    private static string Reword(string message)
    {
        var m = CannotParse().Match(message);
        if (!m.Success) return message.TrimEnd('.') + ".";
        var type = m.Groups["type"].Value;
        var kind = type.Contains("Int32") || type.Contains("Int64") ? "a whole number"
            : type.Contains("Decimal") || type.Contains("Double") || type.Contains("Single") ? "a number"
            : type.Contains("Boolean") ? "true or false"
            : "a " + type[(type.LastIndexOf('.') + 1)..].ToLowerInvariant();
        return $"{m.Groups["option"].Value} takes {kind}, not '{m.Groups["value"].Value}'.";
    }

    private static IEnumerable<string> CommandPath(CommandResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null && r.Parent is not null; r = r.Parent as CommandResult) names.Push(r.Command.Name);
        return names;
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>[^']*)'")]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"Cannot parse argument '(?<value>.*)' for (option|argument) '(?<option>[^']*)' as expected type '(?<type>[^']*)'")]
    private static partial Regex CannotParse();
}
