using System.Text;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools.Mcp;

/// <summary>
/// Where an MCP server lives: a command started over stdio (<c>npx -y @modelcontextprotocol/server-everything</c>)
/// or an HTTP endpoint (Streamable HTTP, falling back to SSE).
/// </summary>
public sealed record McpServerSpec
{
    private McpServerSpec(string name, string? command, IReadOnlyList<string> arguments, Uri? endpoint)
    {
        Name = name;
        Command = command;
        Arguments = arguments;
        Endpoint = endpoint;
    }

    /// <summary>Short name for messages and logs.</summary>
    public string Name { get; }

    public string? Command { get; }

    public IReadOnlyList<string> Arguments { get; }

    public Uri? Endpoint { get; }

    /// <summary>How long to wait for the server to start and answer the handshake (npx may download first).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long one tool call may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>A stdio server from a command line; quotes group words as in a shell (no other shell features).</summary>
    public static McpServerSpec Stdio(string commandLine)
    {
        var words = SplitCommandLine(commandLine);
        if (words.Count == 0) throw new UserError("MCP server command is empty; give e.g. --stdio \"npx -y @modelcontextprotocol/server-everything\".");
        return new McpServerSpec(commandLine, words[0], words.Skip(1).ToArray(), null);
    }

    public static McpServerSpec Http(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new UserError($"MCP server URL '{url}' must be an absolute http(s) URL such as http://127.0.0.1:3001/mcp.");
        return new McpServerSpec(url, null, [], uri);
    }

    public override string ToString() => Name;

    internal static List<string> SplitCommandLine(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote) quote = null;
                else if (c == '\\' && quote == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\') current.Append(line[++i]);
                else current.Append(c);
            }
            else if (c is '"' or '\'') { quote = c; inWord = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
            }
            else if (c == '\\' && i + 1 < line.Length) { current.Append(line[++i]); inWord = true; }
            else { current.Append(c); inWord = true; }
        }
        if (quote is not null) throw new UserError($"MCP server command has an unclosed {quote} quote: {line}");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
