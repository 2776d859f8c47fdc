using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests;

/// <summary>A catalog whose models all live on one fake OpenAI-compatible server, and a runner over it.</summary>
internal sealed class QaWorld(FakeOpenAiServer server)
{
    public const string Orchestrator = "orch-8b", Big = "big-gpt", Local = "local-qwen";

    public Catalog Catalog { get; } = new(
        new OrchestratorSettings("orch"),
        new Dictionary<string, ModelEntry>
        {
            ["orch"] = new("orch", server.BaseUrl, Orchestrator, new Price(0.2m, 0.2m), ["local"], Family: ModelFamily.Qwen),
            ["big"] = new("big", server.BaseUrl, Big, new Price(1.25m, 10m), ["proprietary"], Family: ModelFamily.Gpt),
            ["small"] = new("small", server.BaseUrl, Local, new Price(0.8m, 0.8m), ["local"], Family: ModelFamily.Qwen),
        },
        new Dictionary<string, AliasEntry>
        {
            ["search-1"] = new("search-1", "big"), ["search-2"] = new("search-2", "small"),
            ["reasoner-1"] = new("reasoner-1", "big"), ["reasoner-2"] = new("reasoner-2", "small"),
            ["answer-1"] = new("answer-1", "big"), ["answer-2"] = new("answer-2", "small"),
        },
        new ToolPrices(), new Limits());

    /// <param name="variant">The protocol shape; null is the runner's default (train).</param>
    public QaEpisodeRunner Runner(QaToolServices? tools = null, int retries = 0, QaProtocolVariant? variant = null)
    {
        var models = new ModelClientFactory(Catalog, EstimatingTokenCounter.Instance,
            new RetrySettings(retries, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5)));
        return new QaEpisodeRunner(Catalog, models, new LlmQaPolicy(models.For("orch"), Catalog.Orchestrator),
            tools ?? QaToolServices.None, EstimatingTokenCounter.Instance, variant: variant);
    }

    public static FakeReply Call(string tool, string alias, int prompt = 1000, int completion = 50) =>
        FakeReply.Call(tool, new { model = alias }, prompt, completion);

    public static QaRunRequest Ask(string problem, Preferences? prefs = null, int maxTurns = 50, int maxErrors = 10, decimal? usd = null, double? seconds = null) =>
        new(problem, prefs ?? Preferences.None, maxTurns, maxErrors, usd, seconds);
}
