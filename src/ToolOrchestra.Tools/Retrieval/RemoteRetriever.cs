using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>
/// The <c>search</c> tool's shared back-end: a retrieval service speaking the reference's <c>POST /retrieve</c> API
/// (its FAISS servers, or <c>orchestra serve-retriever</c>). Queries are cut to <see cref="MaxQueryChars"/> characters
/// as the reference's client does. An unreachable, slow or misbehaving service yields an error result, never an exception.
/// </summary>
public sealed class RemoteRetriever : IRetriever
{
    public const string SourceName = "remote";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly decimal _price;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public RemoteRetriever(Uri baseUrl, ToolPrices? prices = null, HttpClient? http = null, TimeSpan? timeout = null, TimeProvider? time = null)
    {
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
            throw new UserError($"retriever URL '{baseUrl}' must be an absolute http(s) URL such as http://127.0.0.1:1401");
        _endpoint = baseUrl.AbsolutePath.TrimEnd('/').EndsWith("/retrieve", StringComparison.Ordinal)
            ? baseUrl
            : new Uri(new Uri(baseUrl.ToString().TrimEnd('/') + "/"), "retrieve");
        _http = http ?? SharedClient;
        _price = (prices ?? new ToolPrices()).LocalSearchPerCall;
        _timeout = timeout ?? TimeSpan.FromSeconds(120);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The reference cuts queries to 390 characters before sending them.</summary>
    public int MaxQueryChars { get; init; } = 390;

    public Uri Endpoint => _endpoint;

    public decimal WorstCaseUsd(int topK) => _price;

    private static readonly HttpClient SharedClient = new() { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        var began = _time.GetTimestamp();
        var body = RetrieveApi.WriteRequest(query.Length > MaxQueryChars ? query[..MaxQueryChars] : query, topK, eid);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_timeout);
        RetrievalResult Fail(string why) => RetrievalResult.Failed(SourceName, $"retriever {_endpoint}: {why}", _time.GetElapsedTime(began).TotalSeconds, _price);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            using var response = await _http.PostAsync(_endpoint, content, deadline.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return Fail($"HTTP {(int)response.StatusCode} {ErrorText(text)}");
            using var json = JsonDocument.Parse(text);
            var docs = RetrieveApi.ReadResponse(json.RootElement);
            return new RetrievalResult(docs, _price, SourceName, _time.GetElapsedTime(began).TotalSeconds);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail($"no answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return Fail($"unreachable ({e.Message})");
        }
        catch (JsonException e)
        {
            return Fail($"answer is not JSON ({e.Message})");
        }
        catch (FormatException e)
        {
            return Fail($"unexpected answer: {e.Message}");
        }
    }

    private static string ErrorText(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var e))
                return e.ToString();
        }
        catch (JsonException) { }
        return body.Length > 300 ? body[..300] + "..." : body;
    }
}
