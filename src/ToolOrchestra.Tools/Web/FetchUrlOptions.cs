using System.Net;

namespace ToolOrchestra.Tools.Web;

/// <summary>
/// Limits of <see cref="FetchUrlTool"/>: bytes read per page (the rest is never downloaded), seconds per fetch
/// (connecting, redirects and the body together), redirects followed, characters of text returned, and whether
/// private addresses may be fetched (<c>--allow-private-urls</c>, for tests against local servers only).
/// </summary>
public sealed record FetchUrlOptions
{
    public long MaxBytes { get; init; } = 5L << 20;
    public double TimeoutSeconds { get; init; } = 20;
    public int MaxRedirects { get; init; } = 5;
    public int MaxChars { get; init; } = 20_000;
    public bool AllowPrivateUrls { get; init; }
    public string UserAgent { get; init; } = "ToolOrchestra-fetch_url/0.2 (+https://github.com/NVlabs/ToolOrchestra)";

    /// <summary>Endpoints let through the guard although private (tests that need a local first hop to redirect from).</summary>
    internal IReadOnlyList<IPEndPoint> ExemptEndpoints { get; init; } = [];

    public static readonly FetchUrlOptions Default = new();
}
