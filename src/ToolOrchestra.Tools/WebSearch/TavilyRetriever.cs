using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Tools.WebSearch;

/// <summary>
/// Web search through Tavily: <c>POST /search</c> for URLs, then <c>POST /extract</c> for their text, best Tavily
/// score first. Priced per search call plus per extracted document (catalog <c>web_search_per_call</c>,
/// <c>web_extract_per_doc</c>). A missing key is a <see cref="UserError"/> at construction; failures during a
/// call (HTTP errors, a rejected key, timeouts) are error results.
/// </summary>
public sealed class TavilyRetriever : IRetriever
{
    public const string SourceName = "web";

    private static readonly HttpClient SharedClient = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    private readonly TavilyOptions _options;
    private readonly ToolPrices _prices;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _apiKey;

    public TavilyRetriever(TavilyOptions? options = null, ToolPrices? prices = null, HttpClient? http = null, TimeProvider? time = null)
    {
        _options = options ?? new TavilyOptions();
        _prices = prices ?? new ToolPrices();
        _http = http ?? SharedClient;
        _time = time ?? TimeProvider.System;
        var key = _options.ApiKey ?? Environment.GetEnvironmentVariable(TavilyOptions.ApiKeyVariable);
        _apiKey = string.IsNullOrWhiteSpace(key)
            ? throw new UserError($"web search needs a Tavily API key: set {TavilyOptions.ApiKeyVariable} (get one at https://tavily.com), or leave web search off.")
            : key.Trim();
        SecretRedactor.Register(_apiKey); // Tavily's error bodies may echo it
    }

    /// <summary>True when a key is configured in the environment, so callers can decide whether to offer web search.</summary>
    public static bool KeyConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TavilyOptions.ApiKeyVariable));

    /// <summary>A search and an extraction of every result asked for.</summary>
    public decimal WorstCaseUsd(int topK) => _prices.WebSearchPerCall + _options.MaxResults * _prices.WebExtractPerDoc;

    public async Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        var began = _time.GetTimestamp();
        var cost = 0m;
        RetrievalResult Fail(string why) => RetrievalResult.Failed(SourceName, "Tavily: " + why, _time.GetElapsedTime(began).TotalSeconds, cost);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            var search = await PostAsync("search", new JsonObject
            {
                ["query"] = query,
                ["search_depth"] = _options.SearchDepth,
                ["max_results"] = _options.MaxResults,
                ["chunks_per_source"] = _options.ChunksPerSource,
            }, deadline.Token).ConfigureAwait(false);
            cost += _prices.WebSearchPerCall;
            if (search.Error is not null) return Fail("search " + search.Error);

            var hits = Array(search.Json!, "results")
                .Select(r => (Url: Text(r, "url"), Score: Number(r, "score")))
                .Where(h => !string.IsNullOrEmpty(h.Url))
                .GroupBy(h => h.Url).Select(g => g.First())
                .OrderByDescending(h => h.Score)
                .Take(_options.MaxResults) // what was asked for, so the worst case holds
                .ToList();
            if (hits.Count == 0) return new RetrievalResult([], cost, SourceName, _time.GetElapsedTime(began).TotalSeconds);

            var documents = new List<RetrievedDocument>();
            foreach (var batch in hits.Chunk(Math.Max(1, _options.ExtractBatchSize)))
            {
                var extract = await PostAsync("extract", new JsonObject
                {
                    ["urls"] = new JsonArray(batch.Select(h => (JsonNode?)h.Url).ToArray()),
                    ["extract_depth"] = _options.ExtractDepth,
                    ["format"] = _options.ExtractFormat,
                }, deadline.Token).ConfigureAwait(false);
                if (extract.Error is not null) return Fail("extract " + extract.Error);
                var extracted = Array(extract.Json!, "results").ToList();
                cost += Math.Min(extracted.Count, batch.Length) * _prices.WebExtractPerDoc;
                var byUrl = extracted.GroupBy(e => Text(e, "url")).ToDictionary(g => g.Key, g => Text(g.First(), "raw_content"));
                foreach (var hit in batch)
                    if (byUrl.TryGetValue(hit.Url, out var text) && text.Length > _options.MinContentChars)
                        documents.Add(new RetrievedDocument(hit.Url, text, hit.Score));
            }
            return new RetrievalResult(documents.Take(topK).ToList(), cost, SourceName, _time.GetElapsedTime(began).TotalSeconds);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail($"no answer within {_options.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return Fail($"unreachable ({e.Message})");
        }
    }

    private async Task<(JsonNode? Json, string? Error)> PostAsync(string path, JsonObject body, CancellationToken ct)
    {
        var url = new Uri(new Uri(_options.BaseUrl.ToString().TrimEnd('/') + "/"), path);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body.ToJsonString(OrchestraJson.Compact), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            return (null, $"rejected the API key (HTTP {(int)response.StatusCode}); check {TavilyOptions.ApiKeyVariable}");
        if (!response.IsSuccessStatusCode)
        {
            var shown = SecretRedactor.Redact(text); // before cutting, so that no half key slips past
            return (null, $"HTTP {(int)response.StatusCode}: {(shown.Length > 300 ? shown[..300] + "..." : shown)}");
        }
        try
        {
            return JsonNode.Parse(text) is JsonObject json ? (json, null) : (null, "answer is not a JSON object");
        }
        catch (JsonException e)
        {
            return (null, "answer is not JSON: " + e.Message);
        }
    }

    private static IEnumerable<JsonNode> Array(JsonNode json, string field) =>
        json[field] is JsonArray items ? items.Where(i => i is JsonObject).Select(i => i!) : [];

    private static string Text(JsonNode node, string field) =>
        node[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static double Number(JsonNode node, string field) =>
        node[field] is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : node[field] is JsonValue t && t.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p
        : 0;
}
