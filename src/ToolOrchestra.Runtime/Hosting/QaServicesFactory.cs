using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Tools;
using ToolOrchestra.Tools.CodeSandbox;
using ToolOrchestra.Tools.Retrieval;
using ToolOrchestra.Tools.WebSearch;

namespace ToolOrchestra.Runtime.Hosting;

/// <summary>
/// What stands behind <c>search</c> and <c>enhance_reasoning</c>, from the engine's options: the one place the
/// retriever (index, <c>/retrieve</c> service, web fallback, allowed ids) and the sandbox are chosen.
/// </summary>
internal static class QaServicesFactory
{
    public static Qa.QaToolServices Create(OrchestraOptions o, Catalog catalog, IServiceProvider services)
    {
        if (o.TopK is < 1) throw new UserError($"--top-k must be at least 1, got {o.TopK}.");
        if (!double.IsFinite(o.CodeTimeoutSeconds) || o.CodeTimeoutSeconds <= 0 || o.CodeTimeoutSeconds > 86400)
            throw new UserError($"--code-timeout must be a number of seconds between 0 and 86400, got {o.CodeTimeoutSeconds}.");
        ICodeRunner? code = o.CodeBackend is { } own ? own(services) : o.Code
            ? new PythonSandbox(new SandboxOptions { TimeoutSeconds = o.CodeTimeoutSeconds, UnsafeNoSandbox = o.UnsafeNoSandbox }, catalog.ToolPrices)
            : null;
        return new Qa.QaToolServices(o.SearchBackend is { } search ? search(services) : Retriever(o, catalog.ToolPrices), code, o.TopK);
    }

    /// <summary>A local index or a /retrieve service, optionally falling back to the web.</summary>
    private static IRetriever? Retriever(OrchestraOptions o, ToolPrices prices)
    {
        if (o.Index is not null && o.Retriever is not null) throw new UserError("give either --index or --retriever, not both.");
        var allowed = o.AllowedIds is null ? null : AllowedDocuments.Load(o.AllowedIds);
        IRetriever? primary = o.Index is not null ? new LocalIndexRetriever(LocalIndex.Open(o.Index), prices, allowed)
            : o.Retriever is not null ? new RemoteRetriever(Uri.TryCreate(o.Retriever, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
                ? u : throw new UserError($"--retriever '{o.Retriever}' is not an http(s) URL; write e.g. http://127.0.0.1:1401"), prices)
            : null;
        if (!o.Web) return primary;
        if (!TavilyRetriever.KeyConfigured) throw new UserError($"--web needs a Tavily API key in {TavilyOptions.ApiKeyVariable}.");
        var tavily = new TavilyRetriever(prices: prices);
        return primary is null ? tavily : new FallbackRetriever(primary, tavily);
    }
}
