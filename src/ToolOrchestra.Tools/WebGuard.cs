using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ToolOrchestra.Tools;

/// <summary>
/// What every server of ours checks before a route runs, so a web page in the user's browser cannot drive it and one
/// request cannot hold it: the Host header must name loopback, the bound address or an allowed host (DNS rebinding
/// sends a foreign name), a POST must say <c>application/json</c> (a page's form or text/plain "simple" request cannot),
/// the body is capped, and an optional static key is required. Refusals are OpenAI-style JSON errors.
/// </summary>
public sealed record WebGuard
{
    /// <summary>Largest request body accepted, in bytes (1 MiB by default: thousands of chat messages).</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Host names accepted besides loopback and the bound address (e.g. the name a load balancer forwards).</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>When set, every request needs <c>Authorization: Bearer</c> this key (compared in constant time).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Paths open without the key (e.g. a health check).</summary>
    public IReadOnlyList<string> OpenPaths { get; init; } = [];

    public static readonly WebGuard Default = new();

    /// <summary>Whether a Host header value names this server: loopback, the bound address (any IP literal when bound to all addresses) or an allowed name.</summary>
    public bool HostAllowed(string host, IPAddress bound)
    {
        if (string.IsNullOrEmpty(host)) return false;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
            return IPAddress.IsLoopback(ip) || ip.Equals(bound) || bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any);
        return AllowedHosts.Contains(host, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Adds the checks in front of every route of <paramref name="app"/>.</summary>
    public void Apply(WebApplication app, IPAddress bound) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!HostAllowed(request.Host.Host, bound))
        {
            await RefuseAsync(context, 403, $"Host '{request.Host}' is not served here; call this server by its own address (or start it with --allowed-host NAME).", "host_not_allowed").ConfigureAwait(false);
            return;
        }
        if (request.ContentLength > MaxBodyBytes)
        {
            await RefuseAsync(context, 413, $"the request body has {request.ContentLength} bytes; at most {MaxBodyBytes} are accepted.", "request_too_large").ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsPost(request.Method) && !(request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            await RefuseAsync(context, 415, $"send the body as Content-Type: application/json (got '{request.ContentType}').", "unsupported_media_type").ConfigureAwait(false);
            return;
        }
        if (ApiKey is { } key && !OpenPaths.Contains(request.Path.Value ?? "", StringComparer.Ordinal) && !BearerMatches(request, key))
        {
            await RefuseAsync(context, 401, "missing or wrong API key; send Authorization: Bearer KEY.", "invalid_api_key").ConfigureAwait(false);
            return;
        }
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's body cap on a chunked body surfaces here, while the route reads.
            await RefuseAsync(context, e.StatusCode, e.StatusCode == 413 ? $"the request body is larger than {MaxBodyBytes} bytes." : e.Message,
                e.StatusCode == 413 ? "request_too_large" : "bad_request").ConfigureAwait(false);
        }
    });

    /// <summary>Whether the request's bearer token equals <paramref name="key"/> (constant-time).</summary>
    public static bool BearerMatches(HttpRequest request, string key) =>
        BearerToken(request) is { } token && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key));

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    /// <summary>An OpenAI-style error: <c>{"error": {"message", "type", "code"}}</c>, with <c>Retry-After</c> when a wait is known.</summary>
    public static Task RefuseAsync(HttpContext context, int status, string message, string code, int? retryAfterSeconds = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (retryAfterSeconds is { } wait) context.Response.Headers.RetryAfter = Math.Max(0, wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var type = status switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        };
        var body = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } };
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
