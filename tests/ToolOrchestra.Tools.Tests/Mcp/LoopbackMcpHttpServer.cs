using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

using ToolOrchestra.Tools;

namespace ToolOrchestra.Tools.Tests.Mcp;

/// <summary>
/// A real MCP server (the official SDK's server over its Streamable HTTP transport, stateless mode) on
/// 127.0.0.1, offering <c>multiply</c>. ModelContextProtocol.AspNetCore is not available here, so each POST
/// is wired to a fresh transport by hand.
/// </summary>
public sealed class LoopbackMcpHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackMcpHttpServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<LoopbackMcpHttpServer> StartAsync()
    {
        var app = LoopbackWebApp.Create(0);
        var tools = new McpServerPrimitiveCollection<McpServerTool>
        {
            McpServerTool.Create((double a, double b) => a * b, new McpServerToolCreateOptions { Name = "multiply", Description = "Multiplies two numbers" }),
        };

        app.MapPost("/mcp", async (HttpContext http) =>
        {
            var message = await JsonSerializer.DeserializeAsync<JsonRpcMessage>(http.Request.Body, McpJsonUtilities.DefaultOptions, http.RequestAborted);
            await using var transport = new StreamableHttpServerTransport { Stateless = true };
            var options = new McpServerOptions { ServerInfo = new Implementation { Name = "loopback-test", Version = "1.0" }, ToolCollection = tools };
            await using var server = McpServer.Create(transport, options);
            var running = server.RunAsync(http.RequestAborted);
            http.Response.ContentType = "text/event-stream";
            await transport.HandlePostRequestAsync(message!, http.Response.Body, http.RequestAborted);
            await transport.DisposeAsync();
            await running;
        });
        app.MapGet("/mcp", (HttpContext http) => http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed);
        app.MapDelete("/mcp", (HttpContext http) => http.Response.StatusCode = StatusCodes.Status200OK);

        var address = await LoopbackWebApp.StartAsync(app);
        return new LoopbackMcpHttpServer(app, new Uri(address, "mcp"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
