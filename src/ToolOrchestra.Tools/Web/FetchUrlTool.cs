using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Tools.Files;

namespace ToolOrchestra.Tools.Web;

/// <summary>
/// <c>fetch_url</c>: the readable text of one web page (HTML to text, PDFs and plain text too), beside <c>search</c>'s
/// snippets. The page is streamed and cut at <see cref="FetchUrlOptions.MaxBytes"/> (the rest is never downloaded), the
/// whole fetch is cut at <see cref="FetchUrlOptions.TimeoutSeconds"/>, redirects are followed by hand up to
/// <see cref="FetchUrlOptions.MaxRedirects"/> (http and https only), and every connection, the first and each
/// redirect's, goes through a <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the name and refuses
/// non-public addresses (<see cref="PublicAddressGuard"/>) unless <see cref="FetchUrlOptions.AllowPrivateUrls"/>. No
/// proxy is used (it would connect on the page's behalf, unchecked). Priced per call by the catalog's
/// <c>tool_prices.per_tool.fetch_url</c>, else its <c>web_extract_per_doc</c>; the price is held on the ledger first.
/// </summary>
public sealed class FetchUrlTool : IOrchestratorTool, IDisposable
{
    public const string ToolName = "fetch_url";
    private readonly FetchUrlOptions _options;
    private readonly HttpClient _http;

    static FetchUrlTool() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance); // pages in windows-1252, shift_jis, …

    public FetchUrlTool(FetchUrlOptions? options = null)
    {
        _options = options ?? FetchUrlOptions.Default;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name => ToolName;

    public AIFunctionDeclaration? Declare(ToolOffer offer)
    {
        var schema = JsonSerializer.SerializeToElement(new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["url"] = new JsonObject { ["type"] = "string", ["description"] = "The http(s) address of the page to read." },
            },
            ["required"] = new JsonArray("url"),
        }, OrchestraJsonContext.Default.JsonNode);
        var price = PriceOf(offer.Catalog.ToolPrices);
        // The catalog's tool_descriptions.fetch_url.description rewords it, as for every tool.
        return AIFunctionFactory.CreateDeclaration(ToolName, offer.Catalog.DescriptionFor(ToolName)?.Description ??
            $"Read one web page: its readable text (HTML converted to text, PDFs and plain text too), at most {_options.MaxChars} characters. "
            + $"Costs ${price.ToString("0.####", CultureInfo.InvariantCulture)} per call.", schema);
    }

    private static decimal PriceOf(Core.Catalog.ToolPrices prices) =>
        prices.PerTool?.TryGetValue(ToolName, out var p) == true ? p : prices.WebExtractPerDoc;

    public async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        var context = invocation.Context;
        if (invocation.String("url") is not { Length: > 0 } url) return ToolOutput.Failed("fetch_url needs a string argument \"url\".");
        var price = PriceOf(context.Catalog.ToolPrices);
        using var hold = await context.Ledger.HoldAsync(price, ct).ConfigureAwait(false);
        var started = context.Clock.GetTimestamp();
        var output = await FetchAsync(url, ct).ConfigureAwait(false);
        context.Ledger.Record(new LedgerEntry(context.Turn, CallKind.Tool, ToolName, null, null, 0, 0, price, context.Clock.GetElapsedTime(started).TotalSeconds));
        return output;
    }

    /// <summary>The observation for <paramref name="url"/>: its text, or why there is none.</summary>
    public async Task<ToolOutput> FetchAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return ToolOutput.Failed($"'{url}' is not an http(s) URL.");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.UserAgent.ParseAdd(_options.UserAgent);
                request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5");
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
                {
                    if (hop >= _options.MaxRedirects) return ToolOutput.Failed($"{url} redirected more than {_options.MaxRedirects} times; stopped.");
                    uri = new Uri(uri, location);
                    if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                        return ToolOutput.Failed($"{url} redirected to '{uri}', which is not http(s); stopped.");
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    return ToolOutput.Failed($"{uri} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
                var (body, cut) = await ReadCappedAsync(response.Content, deadline.Token, ct).ConfigureAwait(false);
                return Render(uri, response.Content.Headers.ContentType, body, cut);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ToolOutput.Failed($"{uri} did not answer within {_options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s; stopped.");
        }
        catch (HttpRequestException e) when (Blocked(e) is { } blocked)
        {
            return ToolOutput.Failed($"Refused: {blocked.Message} ({uri}).");
        }
        catch (HttpRequestException e)
        {
            return ToolOutput.Failed($"Could not fetch {uri}: {e.Message}");
        }
    }

    private static BlockedAddressException? Blocked(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is BlockedAddressException blocked) return blocked;
        return null;
    }

    /// <summary>At most <see cref="FetchUrlOptions.MaxBytes"/> of the body; a body still arriving at the deadline keeps what came.</summary>
    private async Task<(byte[] Body, string? Cut)> ReadCappedAsync(HttpContent content, CancellationToken deadline, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        await using var stream = await content.ReadAsStreamAsync(deadline).ConfigureAwait(false);
        try
        {
            while (buffer.Length < _options.MaxBytes)
            {
                var read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, _options.MaxBytes - buffer.Length)), deadline).ConfigureAwait(false);
                if (read == 0) return (buffer.ToArray(), null);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && buffer.Length > 0)
        {
            return (buffer.ToArray(), $"the page was still arriving after {_options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        // Full: one more byte tells whether anything was left out (a server that stalls here is taken to have more).
        int more;
        try
        {
            more = await stream.ReadAsync(chunk.AsMemory(0, 1), deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            more = 1;
        }
        return (buffer.ToArray(), more > 0 ? $"the page is larger than {_options.MaxBytes} bytes; only the first {_options.MaxBytes} were read" : null);
    }

    private ToolOutput Render(Uri uri, MediaTypeHeaderValue? type, byte[] body, string? cut)
    {
        var media = type?.MediaType?.ToLowerInvariant() ?? "";
        string text;
        if (media == "application/pdf" || body.AsSpan().StartsWith("%PDF-"u8))
        {
            if (cut is not null) return ToolOutput.Failed($"{uri} is a PDF and {cut}; a cut PDF cannot be read.");
            var pdf = new BoundedText(_options.MaxChars + 1);
            try
            {
                PdfText.Read(body, pdf, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return ToolOutput.Failed($"{uri} is a PDF that could not be read: {e.Message}");
            }
            text = pdf.ToString();
        }
        else
        {
            var decoded = Decode(body, type?.CharSet);
            if (media is "text/html" or "application/xhtml+xml" || (media.Length == 0 && decoded.TrimStart().StartsWith('<')))
                text = HtmlText.Extract(decoded);
            else if (media.StartsWith("text/", StringComparison.Ordinal) || media.Contains("json") || media.Contains("xml") || media.Contains("javascript") || media.Length == 0)
                text = decoded;
            else return ToolOutput.Failed($"{uri} is '{media}', not a web page, PDF or text.");
        }
        var shown = text.Length > _options.MaxChars ? text[.._options.MaxChars] : text;
        var notes = new List<string>();
        if (cut is not null) notes.Add(cut);
        if (text.Length > _options.MaxChars) notes.Add($"the text is cut at {_options.MaxChars} characters");
        return new ToolOutput($"URL: {uri}\n{(shown.Length == 0 ? "(no text)" : shown)}{(notes.Count > 0 ? $"\n[cut: {string.Join("; ", notes)}]" : "")}");
    }

    private static string Decode(byte[] body, string? charset)
    {
        var encoding = Encoding.UTF8;
        if (charset is { Length: > 0 })
        {
            try { encoding = Encoding.GetEncoding(charset.Trim('"', '\'')); }
            catch (ArgumentException) { }
        }
        return encoding.GetString(body);
    }

    /// <summary>Resolves the host and connects only to an address the guard allows; runs for the first URL and for every redirect.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        var allowed = addresses.Where(a => _options.AllowPrivateUrls || PublicAddressGuard.IsPublic(a)
            || _options.ExemptEndpoints.Contains(new IPEndPoint(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a, port))).ToArray();
        if (allowed.Length == 0)
            throw addresses.Length == 0 ? new IOException($"'{host}' does not resolve") : new BlockedAddressException(host, addresses[0]);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}
