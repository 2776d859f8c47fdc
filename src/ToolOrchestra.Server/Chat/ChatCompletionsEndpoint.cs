using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Server.Keys;
using ToolOrchestra.Server.Runs;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Server.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: authenticate, admit (budget, rate, concurrency, allowed aliases), run the
/// engine, book every call as it is made, answer as one completion or as server-sent events. A client that hangs up
/// cancels the run; what the run spent until then is booked all the same.
/// </summary>
internal sealed class ChatCompletionsEndpoint(OrchestraServer server)
{
    private static readonly byte[] Done = Encoding.UTF8.GetBytes("data: [DONE]\n\n");

    public async Task HandleAsync(HttpContext http)
    {
        string? runId = null;
        try
        {
            ChatCompletionRequest body;
            try
            {
                using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
                // Invalid Unicode inside a string parses, then fails when read (an unhandled 500): refuse it here, by place.
                if (JsonFields.FirstInvalidText(doc.RootElement) is { } where)
                    throw ApiError.BadRequest($"the request body's {where} {JsonFields.InvalidTextFix}.");
                body = ChatCompletionRequest.Parse(doc.RootElement);
            }
            catch (JsonException e)
            {
                throw ApiError.BadRequest($"the request body is not JSON: {e.Message}");
            }
            var key = await server.AuthenticateAsync(http).ConfigureAwait(false);
            if (!server.Profiles.TryGetValue(body.Model, out var profile))
                throw new ApiError(404, "model_not_found", $"model '{body.Model}' is not served here; models: {string.Join(", ", server.Profiles.Keys)} (GET /v1/models).");
            EnterChain(http, profile);
            decimal? remaining = null;
            if (key is { DailyUsd: not null } or { TotalUsd: not null })
            {
                var (today, total) = await server.Keys.SpendAsync(key!.Id, http.RequestAborted).ConfigureAwait(false);
                remaining = Admission.Remaining(key, today, total, server.Options.Clock);
            }
            var request = Admission.Request(body, profile, key, Admission.Narrower(remaining, CallerBudget(http))) with { Id = NewRunId() };
            runId = request.Id!;
            if (remaining is not null)
                request = request with
                {
                    Account = new KeyAccount(server.Store, key!, runId, server.Options.Clock)
                    {
                        // The key's budget, not the caller's, is what a refused first call ran into.
                        BindsRun = request.BudgetUsd == remaining,
                        RetryAfterAdmission = Admission.UntilReset(key!, server.Options.Clock),
                    },
                };
            await using var conn = await server.Runs.OpenForRunAsync(http.RequestAborted).ConfigureAwait(false);
            var refusal = await server.Runs.AdmitAsync(runId, key?.Id, key?.Name, profile.Name, request.Problem, body.Stream,
                Path.GetFullPath(Path.Combine(server.Options.RunsDirectory, runId + ".jsonl")), key?.RequestsPerMinute, key?.ConcurrentRuns, http.RequestAborted, conn).ConfigureAwait(false);
            if (refusal is not null)
            {
                runId = null;
                throw new ApiError(429, "rate_limit_exceeded", refusal.Message, TimeSpan.FromSeconds(refusal.RetryAfterSeconds));
            }
            using var inFlight = server.Metrics.InFlight();
            if (body.Stream) await StreamAsync(http, profile, request, key, conn).ConfigureAwait(false);
            else await CompleteAsync(http, profile, request, key, conn).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            await RefuseAsync(http, runId, e.Status, e.Message, e.Code, e.RetryAfterSeconds ?? (e.Status == 429 ? DefaultRetryAfterSeconds : null)).ConfigureAwait(false);
        }
        catch (UserError e)
        {
            await RefuseAsync(http, runId, 400, e.Message, "invalid_request").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client left before the run began: nothing was spent.
            if (runId is not null) await server.Runs.FailAsync(runId, RunLog.Cancelled, "the client disconnected before the run began").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Recursive orchestration: refuses a request that came back to this orchestrator (a cycle) or is nested deeper than
    /// allowed, then names this orchestrator in the chain its run's own calls to other orchestrators carry.
    /// </summary>
    private void EnterChain(HttpContext http, OrchestratorProfile profile)
    {
        var chain = OrchestrationChain.Parse(http.Request.Headers[OrchestrationChain.Header]);
        var me = $"{server.Runs.Instance}/{profile.Name}";
        if (chain.Contains(me))
            throw new ApiError(508, "loop_detected", $"cycle refused: this request came back to orchestrator {me} through {string.Join(" -> ", chain)}; an \"api\": \"orchestra\" model must not lead back to an orchestrator it is nested in.");
        if (chain.Count >= server.Options.MaxDepth)
            throw new ApiError(508, "nesting_too_deep", $"this request is nested {chain.Count} orchestrators deep; this server allows at most {server.Options.MaxDepth} (--max-depth).");
        OrchestrationChain.Current = [.. chain, me];
    }

    private async Task RefuseAsync(HttpContext http, string? runId, int status, string message, string code, int? retryAfterSeconds = null)
    {
        server.Metrics.Refused(status);
        if (runId is not null) await server.Runs.FailAsync(runId, RunLog.Refused, message).ConfigureAwait(false);
        if (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            await WebGuard.RefuseAsync(http, status, server.ForClient(message), code, retryAfterSeconds).ConfigureAwait(false);
    }

    /// <summary>A 429's wait when its refusal does not say one (every budget and rate refusal does).</summary>
    private const int DefaultRetryAfterSeconds = 60;

    /// <summary>
    /// The budget a calling orchestrator gives this run (<see cref="OrchestrationChain.BudgetHeader"/>: what its own run has
    /// left), so a nested run cannot spend past its caller's budget.
    /// </summary>
    private static decimal? CallerBudget(HttpContext http)
    {
        var header = http.Request.Headers[OrchestrationChain.BudgetHeader].ToString();
        if (header.Length == 0) return null;
        return decimal.TryParse(header, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var usd) && usd >= 0
            ? usd
            : throw ApiError.BadRequest($"{OrchestrationChain.BudgetHeader}: '{header}' is not a dollar amount (0 or more, e.g. 0.05).");
    }

    private async Task CompleteAsync(HttpContext http, OrchestratorProfile profile, OrchestrationRequest request, ApiKey? key, DbConnection? conn)
    {
        var result = ForClient(await RunAsync(http, profile, request, key, conn, null).ConfigureAwait(false));
        if (http.RequestAborted.IsCancellationRequested) return;
        if (Failure(result, request.Account) is { } failure)
        {
            await FailAsync(http, result, failure).ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(ChatWire.Completion(profile.Name, result, Created()).ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    private async Task StreamAsync(HttpContext http, OrchestratorProfile profile, OrchestrationRequest request, ApiKey? key, DbConnection? conn)
    {
        var created = Created();
        var runId = request.Id!;
        http.Response.OnStarting(() =>
        {
            if (http.Response.StatusCode == 200)
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers["X-Accel-Buffering"] = "no";
            }
            return Task.CompletedTask;
        });
        var begun = false;
        async Task Send(JsonNode chunk)
        {
            if (!begun)
            {
                // The role chunk goes out with the first event, so a request the engine refuses up front still gets a JSON error.
                begun = true;
                await Send(ChatWire.Chunk(runId, profile.Name, created, new JsonObject { ["role"] = "assistant", ["content"] = "" })).ConfigureAwait(false);
            }
            await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", http.RequestAborted).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }
        decimal spent = 0;
        var result = ForClient(await RunAsync(http, profile, request, key, conn, async e =>
        {
            switch (e)
            {
                case CallMade c:
                    spent += c.Entry.CostUsd;
                    break;
                case ToolObserved t:
                    // Progress as reasoning text (what vLLM-style clients show apart from the answer), with the figures alongside.
                    var chunk = ChatWire.Chunk(runId, profile.Name, created,
                        new JsonObject { ["reasoning_content"] = $"[turn {t.Turn}] {t.Tool}{(t.Alias is null ? "" : $" ({t.Alias})")}{(t.IsError ? " failed" : "")}\n" });
                    chunk["orchestra"] = new JsonObject { ["event"] = "tool", ["turn"] = t.Turn, ["tool"] = t.Tool, ["alias"] = t.Alias, ["cost_usd"] = spent };
                    await Send(chunk).ConfigureAwait(false);
                    break;
            }
        }).ConfigureAwait(false));
        if (http.RequestAborted.IsCancellationRequested) return;
        if (Failure(result, request.Account) is { } early && !begun)
        {
            await FailAsync(http, result, early).ConfigureAwait(false);
            return;
        }
        if (Failure(result, request.Account) is { } failure)
        {
            var error = new JsonObject { ["error"] = new JsonObject { ["message"] = failure.Message, ["type"] = "server_error", ["code"] = failure.Code, ["orchestra"] = Spent(result) } };
            await Send(error).ConfigureAwait(false);
        }
        else
        {
            await Send(ChatWire.Chunk(runId, profile.Name, created, new JsonObject { ["content"] = result.Answer ?? "" })).ConfigureAwait(false);
            var finish = ChatWire.Chunk(runId, profile.Name, created, new JsonObject(), ChatWire.FinishReason(result));
            await Send(finish).ConfigureAwait(false);
            var usage = ChatWire.Chunk(runId, profile.Name, created, null);
            usage["usage"] = ChatWire.Usage(result);
            usage["orchestra"] = ChatWire.Orchestra(result);
            await Send(usage).ConfigureAwait(false);
        }
        await http.Response.Body.WriteAsync(Done, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the engine, booking each call as it is reported and the end as the result says. Writing to a client that has
    /// gone is not an error: the run is cancelled (by the request's token) and still ends and is booked.
    /// </summary>
    private async Task<OrchestrationResult> RunAsync(HttpContext http, OrchestratorProfile profile, OrchestrationRequest request, ApiKey? key,
        DbConnection? conn, Func<OrchestrationEvent, Task>? progress)
    {
        var runId = request.Id!;
        var seq = 0;
        OrchestrationResult? result = null;
        try
        {
            await foreach (var e in profile.Orchestrator.RunEventsAsync(request, http.RequestAborted).ConfigureAwait(false))
            {
                if (e is CallMade call) await server.Runs.BookAsync(runId, seq++, key?.Id, profile.Name, call.Entry, conn).ConfigureAwait(false);
                if (e is RunFinished finished) result = finished.Result;
                if (progress is null || http.RequestAborted.IsCancellationRequested) continue;
                try { await progress(e).ConfigureAwait(false); }
                catch (Exception ex) when (ex is IOException or OperationCanceledException) { /* the client left; the run is being cancelled */ }
            }
        }
        catch (UserError)
        {
            throw; // refused by the engine before it ran: recorded by the caller's refusal
        }
        if (result is null)
        {
            await server.Runs.FailAsync(runId, RunLog.Failed, "the engine ended without a result").ConfigureAwait(false);
            throw new ApiError(500, "server_error", $"run {runId} ended without a result; see the server's log.");
        }
        await server.Runs.FinishAsync(runId, result, http.RequestAborted.IsCancellationRequested, conn).ConfigureAwait(false);
        server.Metrics.Finished(profile.Name, result);
        return result;
    }

    /// <summary>The result as the client sees it: its stop detail without the server's catalog paths (the store keeps them).</summary>
    private OrchestrationResult ForClient(OrchestrationResult r) => r.StopDetail is { } d ? r with { StopDetail = server.ForClient(d) } : r;

    /// <summary>
    /// Runs that could not reach an answer because an upstream endpoint or the engine failed are 5xx errors naming the
    /// run; a run whose first paid call the key's account refused (nothing spent) is the key's 429, as at admission.
    /// </summary>
    private static (int Status, string Code, string Message, TimeSpan? RetryAfter)? Failure(OrchestrationResult r, ISpendAccount? account) => r.StopReason switch
    {
        StopReason.EndpointError => (502, "upstream_error", $"an upstream model endpoint failed (run {r.RunId}, ${r.CostUsd:0.######} spent): {r.StopDetail}", null),
        StopReason.Error => (500, "server_error", $"the run failed (run {r.RunId}, ${r.CostUsd:0.######} spent): {r.StopDetail}", null),
        StopReason.BudgetUsd when r.CostUsd == 0 && account is KeyAccount { LastRefusal: { } refused } =>
            (429, "insufficient_quota", $"refused before any paid call: {refused.Message}.", refused.RetryAfter),
        StopReason.BudgetUsd when r.CostUsd == 0 && account is KeyAccount { BindsRun: true } key =>
            (429, "insufficient_quota", $"refused before any paid call: the key's remaining budget is below the first call's worst case ({r.StopDetail}).", key.RetryAfterAdmission),
        _ => null,
    };

    /// <summary>A failed run's error reply, carrying what the run spent (<c>error.orchestra</c>) so a calling orchestrator bills it.</summary>
    private async Task FailAsync(HttpContext http, OrchestrationResult result, (int Status, string Code, string Message, TimeSpan? RetryAfter) failure)
    {
        server.Metrics.Refused(failure.Status);
        http.Response.StatusCode = failure.Status;
        http.Response.ContentType = "application/json";
        if (ApiError.Seconds(failure.RetryAfter) is { } wait) http.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var type = failure.Status == 429 ? "rate_limit_error" : "server_error";
        var body = new JsonObject { ["error"] = new JsonObject { ["message"] = failure.Message, ["type"] = type, ["param"] = null, ["code"] = failure.Code, ["orchestra"] = Spent(result) } };
        await http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject Spent(OrchestrationResult r) => new() { ["run_id"] = r.RunId, ["cost_usd"] = r.CostUsd, ["wall_s"] = r.WallSeconds };

    private long Created() => server.Options.Clock.GetUtcNow().ToUnixTimeSeconds();

    private static string NewRunId() => DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
}
