using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace ToolOrchestra.Models.Tests.Wire;

/// <summary>One catalog model "m" (provider name "provider/m") on the fake server, through chat or raw completions.</summary>
internal static class TestCatalog
{
    public static readonly string TokenizerPath = SharedData.File("qwen3-tokenizer", "tokenizer.json");
    /// <summary>
    /// Long enough that a good reply never times out on a loaded CI machine (two cores, every test class in parallel),
    /// short beside the scripted hangs (30 s) that must time out.
    /// </summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);
    private static readonly Lazy<Task> Warm = new(WarmUpOnceAsync);

    /// <summary>
    /// The first call in a process spends far longer than an attempt timeout compiling the SDK, Kestrel and the
    /// tokenizer; tests with short timeouts wait for one untimed call of each wire first.
    /// </summary>
    public static Task WarmUpAsync() => Warm.Value;

    private static async Task WarmUpOnceAsync()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.Fallback = _ => new FakeReply("warm");
        foreach (var api in new[] { ModelApi.Chat, ModelApi.Completions })
        {
            var model = Model(server.BaseUrl, api);
            var catalog = new Catalog(new OrchestratorSettings("m"), new Dictionary<string, ModelEntry> { ["m"] = model },
                new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
            var client = new ModelClientFactory(catalog, retry: new RetrySettings(0, TimeSpan.FromSeconds(60))).For("m");
            await client.GetResponseAsync(Question);
            await foreach (var _ in client.GetStreamingResponseAsync(Question)) { }
        }
    }

    public static ModelEntry Model(string endpoint, ModelApi api = ModelApi.Chat) =>
        new("m", endpoint, "provider/m", new Price(1.25m, 10m), ["proprietary"], Api: api, Tokenizer: api == ModelApi.Completions ? TokenizerPath : null);

    public static ModelClientFactory Factory(string endpoint, ModelApi api = ModelApi.Chat, int retries = 3, ILoggerFactory? logging = null, ModelEntry? model = null)
    {
        model ??= Model(endpoint, api);
        var catalog = new Catalog(new OrchestratorSettings("m"), new Dictionary<string, ModelEntry> { ["m"] = model },
            new Dictionary<string, AliasEntry>(), new ToolPrices(), new Limits());
        return new ModelClientFactory(catalog, retry: new RetrySettings(retries, AttemptTimeout, TimeSpan.FromMilliseconds(1)), loggerFactory: logging);
    }

    public static ChatOptions Scoped(Ledger ledger) => new LedgerScope(ledger, 2, CallKind.Expert, "answer", "answer-1").Apply(new ChatOptions());

    public static List<ChatMessage> Question => [new(ChatRole.User, "q")];
}
