using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Runtime.Hosting;

/// <summary>What <c>orchestra doctor --config</c> found for one catalog model.</summary>
/// <param name="KeyVariable">The variable named by <c>api_key_env</c> (never its value); null when the model needs no key.</param>
/// <param name="Reachable">Whether the endpoint answered at all; null when not asked (an in-process orchestrator).</param>
/// <param name="Listed">Whether its <c>GET /models</c> lists the model's name; null when that could not be told.</param>
/// <param name="Problem">Why the model cannot work, or null when nothing found says so.</param>
public sealed record ModelReadiness(
    string Model,
    string Name,
    string Endpoint,
    IReadOnlyList<string> Aliases,
    bool Orchestrator,
    string? KeyVariable,
    bool KeyPresent,
    bool? Reachable,
    bool? Listed,
    string? Note,
    string? Problem)
{
    public bool Usable => Problem is null;
}

/// <summary>The whole catalog's check: every model, and whether a run can work at all.</summary>
public sealed record CatalogReadinessReport(string Catalog, IReadOnlyList<ModelReadiness> Models, bool OrchestratorUsable, bool AnswerUsable)
{
    public bool Ready => OrchestratorUsable && AnswerUsable;
}

/// <summary>
/// Whether a catalog's models can be called, checked before the first paid call so that a missing key is one line at
/// start instead of <c>max_turns</c> paid orchestrator calls ending in "(none)". <see cref="Require"/> (run, serve,
/// eval run) looks only at key variables, with no network, so offline and simulated catalogs and models without
/// <c>api_key_env</c> always pass; <see cref="ProbeAsync"/> (<c>orchestra doctor --config</c>) also asks each
/// endpoint's OpenAI-compatible <c>GET /models</c>.
/// </summary>
public static class CatalogReadiness
{
    /// <summary>The variable a model's key should come from when it is unset or empty; null when the model needs none or has it.</summary>
    public static string? MissingKey(ModelEntry model) =>
        model.ApiKeyEnv is { } name && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)) ? name : null;

    /// <summary>Aliases whose expert ends a QA episode with the answer (<c>answer-*</c>).</summary>
    public static IReadOnlyList<string> AnswerAliases(Catalog catalog) =>
        catalog.Aliases.Keys.Where(a => QaTool.Answer.Accepts(a)).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Refuses, with a <see cref="UserError"/> naming the variable, a catalog whose orchestrator model (when
    /// <paramref name="orchestrator"/> is given; null when a learned policy orchestrates) lacks its key, or, when
    /// <paramref name="needsAnswerAlias"/>, whose every answer alias does. Returns one warning per other model behind an
    /// alias that lacks its key: those calls will fail, the run can still end.
    /// </summary>
    /// <param name="userModel">tau2's user simulator, required like the orchestrator.</param>
    public static IReadOnlyList<string> Require(Catalog catalog, string? orchestrator, bool needsAnswerAlias = true, string? userModel = null)
    {
        var where = catalog.SourcePath ?? "catalog";
        foreach (var (role, id) in new[] { ("orchestrator", orchestrator), ("user", userModel) })
            if (id is not null && catalog.Models.TryGetValue(id, out var model) && MissingKey(model) is { } variable)
                throw new UserError($"{where}: the {role} model '{id}' needs {variable} ($.models.{id}.api_key_env), which is not set; export {variable}, or remove api_key_env for a local server. No call was made.");
        var answers = AnswerAliases(catalog);
        if (needsAnswerAlias && answers.Count > 0 && answers.All(a => MissingKey(catalog.ModelFor(a)) is not null))
        {
            var needs = answers.GroupBy(a => MissingKey(catalog.ModelFor(a))!, StringComparer.Ordinal)
                .Select(g => $"{string.Join(", ", g)} {(g.Count() == 1 ? "needs" : "need")} {g.Key}");
            throw new UserError($"{where}: no alias that can answer is usable ({string.Join("; ", needs)}, not set); export the variable, or map an answer-* alias to a model without api_key_env. No call was made.");
        }
        return catalog.Aliases.Values
            .Where(a => a.Model != orchestrator && a.Model != userModel && MissingKey(catalog.Models[a.Model]) is not null)
            .GroupBy(a => a.Model, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"warning: {where}: model '{g.Key}' ({string.Join(", ", g.Select(a => a.Alias).Order(StringComparer.Ordinal))}) needs {MissingKey(catalog.Models[g.Key])}, which is not set: calls through {(g.Count() == 1 ? "that alias" : "those aliases")} will fail.")
            .ToList();
    }

    /// <summary>
    /// Checks every model: its key variable, whether its endpoint answers and whether its <c>GET /models</c> lists it.
    /// Models sharing an endpoint and key are asked once. Nothing is paid: listing models is free on every provider.
    /// </summary>
    public static async Task<CatalogReadinessReport> ProbeAsync(Catalog catalog, HttpClient http, CancellationToken ct = default)
    {
        var listings = new Dictionary<(string, string?), Task<Listing>>();
        var checks = new List<(ModelEntry Model, Task<Listing>? Listing)>();
        foreach (var model in catalog.Models.Values.OrderBy(m => m.Id, StringComparer.Ordinal))
        {
            if (model.IsInProcessOrchestrator)
            {
                checks.Add((model, null));
                continue;
            }
            var key = (model.Endpoint.TrimEnd('/'), model.ApiKeyEnv);
            if (!listings.TryGetValue(key, out var listing))
                listings[key] = listing = ListAsync(http, key.Item1, model.ApiKeyEnv is { } v ? Environment.GetEnvironmentVariable(v) : null, ct);
            checks.Add((model, listing));
        }
        var models = new List<ModelReadiness>();
        foreach (var (model, listing) in checks)
        {
            var aliases = catalog.Aliases.Values.Where(a => a.Model == model.Id).Select(a => a.Alias).Order(StringComparer.Ordinal).ToList();
            var isOrchestrator = model.Id == catalog.Orchestrator.Model;
            var missing = MissingKey(model);
            if (listing is null)
            {
                models.Add(new(model.Id, model.Name, model.Profile ?? "", aliases, isOrchestrator, null, true, null, null, "in-process orchestrator (its own catalog is checked when it runs)", null));
                continue;
            }
            var found = await listing.ConfigureAwait(false);
            bool? listed = found.Models is { } names ? names.Contains(model.Name) : null;
            var problem = missing is not null ? $"{missing} is not set; export it (or remove api_key_env for a local server)"
                : found.Problem is { } p ? p
                : listed == false ? $"'{model.Name}' is not among the {found.Models!.Count} models its GET /models lists; check $.models.{model.Id}.name"
                : null;
            models.Add(new(model.Id, model.Name, model.Endpoint, aliases, isOrchestrator, model.ApiKeyEnv, missing is null && model.ApiKeyEnv is not null,
                found.Reachable, listed, found.Note, problem));
        }
        var orchestratorUsable = models.Single(m => m.Model == catalog.Orchestrator.Model).Usable;
        var answers = AnswerAliases(catalog);
        var answerUsable = answers.Count == 0 || answers.Any(a => models.Single(m => m.Model == catalog.Aliases[a].Model).Usable);
        return new CatalogReadinessReport(catalog.SourcePath ?? "catalog", models, orchestratorUsable, answerUsable);
    }

    private sealed record Listing(bool Reachable, IReadOnlySet<string>? Models, string? Problem, string? Note);

    private static async Task<Listing> ListAsync(HttpClient http, string endpoint, string? key, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint + "/models");
        if (!string.IsNullOrEmpty(key)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var why = e is TaskCanceledException ? $"no answer within {http.Timeout.TotalSeconds:0} s" : e.Message;
            return new(false, null, $"endpoint {endpoint} unreachable: {why}", null);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                return new(true, null, string.IsNullOrEmpty(key)
                    ? $"endpoint {endpoint} requires a key (HTTP {status}); name its variable in api_key_env"
                    : $"endpoint {endpoint} refused the key (HTTP {status}); check the variable's value", null);
            // Not every OpenAI-compatible server lists models: reachable, listing unknown.
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
                return new(true, null, null, $"no GET /models (HTTP {status}): listing not checked");
            if (!response.IsSuccessStatusCode) return new(true, null, $"endpoint {endpoint} answered GET /models with HTTP {status}", null);
            try
            {
                using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                    return new(true, data.EnumerateArray()
                        .Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : null)
                        .OfType<string>().ToHashSet(StringComparer.Ordinal), null, null);
            }
            catch (JsonException) { }
            return new(true, null, null, "GET /models is not an OpenAI model list: listing not checked");
        }
    }
}
