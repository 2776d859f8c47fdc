using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ToolOrchestra.Server.Dashboard;

/// <summary>
/// <c>/ui</c>: one self-contained page (no CDN, nothing fetched from elsewhere) and the JSON it reads under
/// <c>/ui/api</c>. Open on a loopback server without keys; otherwise the page asks for an admin key
/// (<c>orchestra keys create --admin</c>) and sends it as a bearer token.
/// </summary>
internal sealed class DashboardEndpoints(OrchestraServer server)
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard.html")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public void Map(WebApplication app)
    {
        var queries = new DashboardQueries(server.Store);
        app.MapGet("/ui", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'";
            await http.Response.Body.WriteAsync(Page.Value, http.RequestAborted);
        });
        app.MapGet("/ui/api/runs", (HttpContext http) => Admin(http, async () => await queries.RunsAsync(
            http.Request.Query["key"], http.Request.Query["model"], http.Request.Query["stop"],
            int.TryParse(http.Request.Query["limit"], out var n) ? Math.Clamp(n, 1, 1000) : 200, http.RequestAborted)));
        app.MapGet("/ui/api/runs/{id}", (HttpContext http, string id) => Admin(http, async () => await queries.RunAsync(id, http.RequestAborted)
            ?? throw new ApiError(404, "run_not_found", $"no run '{id}' in the store.")));
        app.MapGet("/ui/api/spend", (HttpContext http) => Admin(http, async () => await queries.SpendAsync(http.RequestAborted)));
        app.MapGet("/ui/api/keys", (HttpContext http) => Admin(http, async () => await queries.KeysAsync(server.Keys, http.RequestAborted)));
    }

    private async Task Admin(HttpContext http, Func<Task<System.Text.Json.Nodes.JsonNode>> read)
    {
        try
        {
            await server.AuthenticateAdminAsync(http, "the dashboard");
            var json = await read();
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(json.ToJsonString(), http.RequestAborted);
        }
        catch (ApiError e)
        {
            await Tools.WebGuard.RefuseAsync(http, e.Status, e.Message, e.Code);
        }
    }
}
