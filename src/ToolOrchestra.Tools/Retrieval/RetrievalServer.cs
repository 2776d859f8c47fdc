using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// Serves any <see cref="IRetriever"/> over the reference's <c>POST /retrieve</c> API on 127.0.0.1, so a fleet of
/// orchestrators can share one index. Queries of one request run concurrently. Bad requests get 400 with
/// <c>{"error": ...}</c>, more than <see cref="MaxQueries"/> queries 413; a failed retrieval (e.g. an eid missing from the allowed map) gets 422.
/// </summary>
public sealed class RetrievalServer : IAsyncDisposable
{
    /// <summary>Queries one request may carry: the body cap bounds bytes, this bounds the work (1.3 M tiny queries once held the server for a minute).</summary>
    public const int MaxQueries = 1024;

    private readonly WebApplication _app;

    private RetrievalServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Base address, e.g. http://127.0.0.1:1401/ (port 0 picks a free port).</summary>
    public Uri Address { get; }

    public static async Task<RetrievalServer> StartAsync(IRetriever retriever, int port, CancellationToken ct = default)
    {
        var app = LoopbackWebApp.Create(port);

        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        app.MapPost("/retrieve", (Delegate)((HttpContext http) => HandleAsync(http, retriever)));

        return new RetrievalServer(app, await LoopbackWebApp.StartAsync(app, ct).ConfigureAwait(false));
    }

    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<IResult> HandleAsync(HttpContext http, IRetriever retriever)
    {
        RetrieveRequest request;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            request = RetrieveApi.ReadRequest(body.RootElement);
        }
        catch (JsonException e)
        {
            return Error(400, "body is not valid JSON: " + e.Message);
        }
        catch (FormatException e)
        {
            return Error(400, e.Message);
        }

        if (request.Queries.Count > MaxQueries)
            return Error(413, $"{request.Queries.Count} queries in one request; send at most {MaxQueries} per request.");
        var results = await Task.WhenAll(request.Queries.Select(q =>
            retriever.RetrieveAsync(q, request.TopK, request.Eid, http.RequestAborted))).ConfigureAwait(false);
        if (results.FirstOrDefault(r => r.Error is not null) is { } failed)
            return Error(422, failed.Error!);
        var json = RetrieveApi.WriteResponse(results.Select(r => r.Documents), request.ReturnScores);
        return Results.Text(json.ToJsonString(ToolOrchestra.Core.OrchestraJson.Compact), "application/json");
    }

    private static IResult Error(int status, string message) =>
        Results.Text(new JsonObject { ["error"] = message }.ToJsonString(ToolOrchestra.Core.OrchestraJson.Compact), "application/json", statusCode: status);
}
