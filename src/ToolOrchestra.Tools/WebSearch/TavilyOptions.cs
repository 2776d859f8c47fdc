namespace ToolOrchestra.Tools.WebSearch;

/// <summary>
/// How the Tavily adapter searches; defaults follow the reference's fallback (§2.2): advanced search with 20
/// results and 5 chunks per source, advanced text extraction, extractions of 100 characters or fewer dropped.
/// </summary>
public sealed record TavilyOptions
{
    public const string ApiKeyVariable = "TAVILY_API_KEY";

    /// <summary>API root; tests point it at a fake on 127.0.0.1.</summary>
    public Uri BaseUrl { get; init; } = new("https://api.tavily.com/");

    /// <summary>Key; null reads <see cref="ApiKeyVariable"/> from the environment.</summary>
    public string? ApiKey { get; init; }

    public string SearchDepth { get; init; } = "advanced";

    public int MaxResults { get; init; } = 20;

    public int ChunksPerSource { get; init; } = 5;

    public string ExtractDepth { get; init; } = "advanced";

    public string ExtractFormat { get; init; } = "text";

    /// <summary>Extractions of this many characters or fewer are dropped (boilerplate, blocked pages).</summary>
    public int MinContentChars { get; init; } = 100;

    /// <summary>Tavily's limit of URLs per extract call.</summary>
    public int ExtractBatchSize { get; init; } = 20;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);
}
