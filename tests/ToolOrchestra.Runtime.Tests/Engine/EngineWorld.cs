using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>
/// The engine as a user builds it: a catalog file whose models all live on a fake OpenAI-compatible server (the QA
/// world's models and aliases plus two expert aliases), <c>AddToolOrchestra</c>, a temporary runs folder.
/// </summary>
public abstract class EngineTest : IAsyncLifetime
{
    protected FakeOpenAiServer Server { get; private set; } = null!;
    protected string Dir { get; } = Directory.CreateTempSubdirectory("engine-").FullName;
    protected string CatalogPath => Path.Combine(Dir, "catalog.json");
    protected string RunsDir => Path.Combine(Dir, "runs");

    /// <summary>The orchestrator's API key lives here, so tests can check it never leaks into spans, logs or files.</summary>
    protected const string KeyVariable = "ENGINE_TEST_API_KEY", Key = "sk-engine-test-secret-4f1c";

    /// <summary>The catalog's <c>limits</c> block.</summary>
    protected virtual string LimitsJson => """{ "max_retries": 0, "request_timeout_s": 30 }""";

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, Key);
        Server = await FakeOpenAiServer.StartAsync();
        File.WriteAllText(CatalogPath, $$"""
        {
          "orchestrator": { "model": "orch" },
          "models": {
            "orch": { "endpoint": "{{Server.BaseUrl}}", "name": "{{QaWorld.Orchestrator}}", "api_key_env": "{{KeyVariable}}", "price": { "input_per_million": 0.2, "output_per_million": 0.2 }, "tags": ["local"], "family": "qwen" },
            "big": { "endpoint": "{{Server.BaseUrl}}", "name": "{{QaWorld.Big}}", "price": { "input_per_million": 1.25, "output_per_million": 10 }, "tags": ["proprietary"], "family": "gpt" },
            "small": { "endpoint": "{{Server.BaseUrl}}", "name": "{{QaWorld.Local}}", "price": { "input_per_million": 0.8, "output_per_million": 0.8 }, "tags": ["local"], "family": "qwen" }
          },
          "aliases": {
            "search-1": { "model": "big" }, "search-2": { "model": "small" },
            "reasoner-1": { "model": "big" }, "reasoner-2": { "model": "small" },
            "answer-1": { "model": "big" }, "answer-2": { "model": "small" },
            "expert-1": { "model": "big" }, "expert-2": { "model": "small" }
          },
          "tool_prices": { "per_tool": { "word_count": 0.001, "echo": 0.002 } },
          "limits": {{LimitsJson}}
        }
        """);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    protected ServiceProvider Engine(Action<OrchestraOptions>? configure = null, Action<ToolOrchestraBuilder>? more = null)
    {
        var builder = new ServiceCollection().AddToolOrchestra(CatalogPath, o =>
        {
            o.RunsDirectory = RunsDir;
            o.Code = false;
            configure?.Invoke(o);
        });
        more?.Invoke(builder);
        return builder.Services.BuildServiceProvider();
    }
}
