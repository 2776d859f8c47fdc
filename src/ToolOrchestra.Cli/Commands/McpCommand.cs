using System.CommandLine;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra mcp list|call</c>: inspect and call the tools of any MCP server (stdio or HTTP).</summary>
internal static class McpCommand
{
    private sealed record Server(Option<string?> Stdio, Option<string?> Http, Option<FileInfo?> Catalog, Option<double> StartTimeout);

    public static Command Create()
    {
        var mcp = new Command("mcp", "Import tools from MCP servers");
        mcp.Subcommands.Add(List());
        mcp.Subcommands.Add(Call());
        return mcp;
    }

    private static Server ServerOptions(Command command)
    {
        var server = new Server(
            new Option<string?>("--stdio") { Description = "Command line that starts the server on stdio, e.g. \"npx -y @modelcontextprotocol/server-everything\"" },
            new Option<string?>("--http") { Description = "URL of a Streamable HTTP (or SSE) MCP server" },
            new Option<FileInfo?>("--config") { Description = "Catalog whose tool_prices.per_tool prices the tools" },
            new Option<double>("--start-timeout") { Description = "Seconds to wait for the server's handshake (npx may download first)", DefaultValueFactory = _ => 120 });
        command.Options.Add(server.Stdio);
        command.Options.Add(server.Http);
        command.Options.Add(server.Catalog);
        command.Options.Add(server.StartTimeout);
        command.Options.Add(OptionChecks.AlwaysJson());
        return server;
    }

    private static Task<McpToolSource> ConnectAsync(ParseResult parse, Server server, CancellationToken ct)
    {
        var stdio = parse.GetValue(server.Stdio);
        var http = parse.GetValue(server.Http);
        if ((stdio is null) == (http is null)) throw new UserError("give exactly one of --stdio \"COMMAND ARGS\" or --http URL.");
        var spec = (stdio is not null ? McpServerSpec.Stdio(stdio) : McpServerSpec.Http(http!))
            with { StartTimeout = TimeSpan.FromSeconds(OptionChecks.Seconds(parse.GetValue(server.StartTimeout), "--start-timeout")) };
        var prices = parse.GetValue(server.Catalog) is { } cat ? CatalogLoader.Load(cat.FullName).ToolPrices : null;
        return McpToolSource.ConnectAsync(spec, prices, ct: ct);
    }

    private static Command List()
    {
        var command = new Command("list", "List a server's tools with their JSON schemas and prices, as JSON");
        var server = ServerOptions(command);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            await using var source = await ConnectAsync(parse, server, c);
            var tools = source.Tools.Select(t => new ToolListing(t.Name, t.Description, t.InputSchema, t.PricePerCallUsd));
            Console.Out.WriteLine(JsonSerializer.Serialize(tools, OrchestraJson.Options));
            return 0;
        }, ct));
        return command;
    }

    private static Command Call()
    {
        var command = new Command("call", "Call one tool and print {tool, text, is_error, seconds, cost_usd} as JSON");
        var server = ServerOptions(command);
        var tool = new Option<string>("--tool") { Description = "Tool name (see './orchestra mcp list')", Required = true };
        var args = new Option<string>("--args") { Description = "Arguments as a JSON object", DefaultValueFactory = _ => "{}" };
        command.Options.Add(tool);
        command.Options.Add(args);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var arguments = ParseArguments(parse.GetValue(args)!);
            await using var source = await ConnectAsync(parse, server, c);
            var result = await source.CallAsync(parse.GetValue(tool)!, arguments, c);
            Console.Out.WriteLine(JsonSerializer.Serialize(result with { Seconds = Math.Round(result.Seconds, 4) }, OrchestraJson.Options));
            return 0;
        }, ct));
        return command;
    }

    private static Dictionary<string, object?> ParseArguments(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new UserError($"--args must be a JSON object such as {{\"message\": \"hi\"}}, got: {json}");
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        }
        catch (JsonException e)
        {
            throw new UserError($"--args is not valid JSON ({e.Message}); give an object such as {{\"message\": \"hi\"}}.");
        }
    }

    private sealed record ToolListing(string Name, string Description, JsonElement InputSchema, decimal PriceUsd);
}
