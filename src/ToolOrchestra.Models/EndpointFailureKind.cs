namespace ToolOrchestra.Models;

/// <summary>
/// Why an endpoint call could not be used. Every kind but <see cref="ClientError"/> is transient: a reply that cannot
/// be read (empty choices, broken JSON, a cut-off body, an HTML error page) is retried exactly like a 5xx, because
/// proxies and overloaded servers produce all of them and a second attempt usually works.
/// </summary>
public enum EndpointFailureKind
{
    /// <summary>HTTP 429; the server's <c>Retry-After</c> is honoured.</summary>
    RateLimited,
    /// <summary>HTTP 5xx.</summary>
    ServerError,
    /// <summary>No reply within the attempt timeout, or HTTP 408.</summary>
    Timeout,
    /// <summary>Refused, reset or unresolvable: nothing answered.</summary>
    Connection,
    /// <summary>HTTP 200 with an empty or absent <c>choices</c> array.</summary>
    EmptyChoices,
    /// <summary>The body is not valid JSON, or its fields have the wrong types.</summary>
    MalformedJson,
    /// <summary>The body ended early: the connection closed mid-reply or the JSON stops half-way.</summary>
    TruncatedBody,
    /// <summary><c>choices[0]</c> has no <c>message</c> (chat) or no <c>text</c> (completions).</summary>
    MissingMessage,
    /// <summary>A 200 reply that is not JSON (an HTML error page from a proxy, plain text).</summary>
    NonJsonContentType,
    /// <summary>HTTP 4xx other than 408 and 429 (bad key, unknown model, bad request): retrying cannot help.</summary>
    ClientError,
}

public static class EndpointFailureKinds
{
    public static bool IsTransient(this EndpointFailureKind kind) => kind != EndpointFailureKind.ClientError;

    /// <summary>What to do about it, for the message a user reads.</summary>
    public static string Fix(this EndpointFailureKind kind) => kind switch
    {
        EndpointFailureKind.RateLimited => "lower the concurrency or raise the rate limit",
        EndpointFailureKind.Timeout => "check the server is not overloaded, or raise limits.request_timeout_seconds in the catalog",
        EndpointFailureKind.Connection => "start the server, or fix the endpoint in the catalog",
        EndpointFailureKind.ClientError => "check the API key, the model name and the request the catalog describes",
        EndpointFailureKind.NonJsonContentType => "check the endpoint URL points at the OpenAI-compatible API (…/v1), not a web page or proxy",
        _ => "check the server's logs; it answered with a reply that cannot be used",
    };
}
