using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools.Mcp;

/// <summary>
/// A connection to one MCP server and the tools it offers. Connecting failures are <see cref="UserError"/>s
/// (the server is part of the user's configuration); tool calls never throw: failures come back as
/// <see cref="McpToolCall.IsError"/> results the orchestrator can read.
/// </summary>
public sealed class McpToolSource : IAsyncDisposable
{
    private readonly McpClient _client;
    private readonly Dictionary<string, McpTool> _byName;
    private readonly McpServerSpec _spec;
    private readonly TimeProvider _time;

    private McpToolSource(McpServerSpec spec, McpClient client, IReadOnlyList<McpTool> tools, TimeProvider time)
    {
        _spec = spec;
        _client = client;
        Tools = tools;
        _byName = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _time = time;
    }

    public IReadOnlyList<McpTool> Tools { get; }

    public string ServerName => _client.ServerInfo?.Name ?? _spec.Name;

    /// <summary>Starts or reaches the server, performs the handshake and lists its tools, priced from <paramref name="prices"/>.</summary>
    public static async Task<McpToolSource> ConnectAsync(McpServerSpec spec, ToolPrices? prices = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        var stderr = new StringBuilder();
        IClientTransport transport = spec.Endpoint is { } endpoint
            ? new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, Name = spec.Name, ConnectionTimeout = spec.StartTimeout })
            : new StdioClientTransport(new StdioClientTransportOptions
            {
                Command = spec.Command!,
                Arguments = spec.Arguments.ToArray(),
                Name = spec.Name,
                StandardErrorLines = line => { lock (stderr) if (stderr.Length < 4000) stderr.AppendLine(line); },
            });

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(spec.StartTimeout);
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(transport, new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "toolorchestra", Version = "1.0" },
            }, NullLoggerFactory.Instance, deadline.Token).ConfigureAwait(false);
            var listed = await client.ListToolsAsync(cancellationToken: deadline.Token).ConfigureAwait(false);
            var perTool = prices?.PerTool;
            var tools = listed
                .Select(t => new McpTool(t, perTool is not null && perTool.TryGetValue(t.Name, out var price) ? price : 0m, spec.Name))
                .ToList();
            return new McpToolSource(spec, client, tools, time ?? TimeProvider.System);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (client is not null) await client.DisposeAsync().ConfigureAwait(false);
            var why = e is OperationCanceledException ? $"no handshake within {spec.StartTimeout.TotalSeconds:0} s" : e.Message;
            string log;
            lock (stderr) log = stderr.ToString().Trim();
            throw new UserError($"MCP server '{spec.Name}' could not be used: {why}" +
                (log.Length > 0 ? $". Its stderr said: {log}" : "") +
                (spec.Command is not null ? $". Check that '{spec.Command}' is installed and starts an MCP server on stdio." : ". Check the URL."), e);
        }
    }

    /// <summary>Calls <paramref name="tool"/> with JSON-like arguments; an unknown tool, a server error or a timeout is an error result.</summary>
    public async Task<McpToolCall> CallAsync(string tool, IReadOnlyDictionary<string, object?>? arguments, CancellationToken ct)
    {
        var began = _time.GetTimestamp();
        if (!_byName.TryGetValue(tool, out var known))
            return new McpToolCall(tool, $"unknown tool '{tool}'; {ServerName} offers: {string.Join(", ", _byName.Keys)}", true, 0, 0m);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_spec.CallTimeout);
        McpToolCall Done(string text, bool isError) => new(tool, text, isError, _time.GetElapsedTime(began).TotalSeconds, known.PricePerCallUsd);
        try
        {
            var result = await _client.CallToolAsync(tool, arguments, cancellationToken: deadline.Token).ConfigureAwait(false);
            return Done(Render(result), result.IsError == true);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Done($"tool '{tool}' gave no answer within {_spec.CallTimeout.TotalSeconds:0.#} s", true);
        }
        catch (Exception e) when (e is McpException or IOException or JsonException or InvalidOperationException or HttpRequestException)
        {
            return Done($"tool '{tool}' failed: {e.Message}", true);
        }
    }

    /// <summary>Text blocks as they are; other content named so the model knows it exists.</summary>
    public static string Render(CallToolResult result)
    {
        var sb = new StringBuilder();
        foreach (var block in result.Content)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(block switch
            {
                TextContentBlock text => text.Text,
                ImageContentBlock image => $"[image {image.MimeType}]",
                AudioContentBlock audio => $"[audio {audio.MimeType}]",
                EmbeddedResourceBlock resource => resource.Resource is TextResourceContents t ? t.Text : $"[resource {resource.Resource.Uri}]",
                ResourceLinkBlock link => $"[resource link {link.Uri}]",
                _ => $"[{block.Type}]",
            });
        }
        if (sb.Length == 0 && result.StructuredContent is { } structured) sb.Append(structured.ToString());
        return sb.ToString();
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync().ConfigureAwait(false);
}
