using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Models.Tokenization;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests;

/// <summary>The orchestrator driven through /v1/completions with the Qwen3 template rendered here.</summary>
public sealed class QaRawCompletionsTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;
    private static readonly string TokenizerPath = SharedData.File("qwen3-tokenizer", "tokenizer.json");

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_trained_prompt_goes_out_verbatim_hermes_output_comes_back_and_tokens_are_exact()
    {
        var catalog = new Catalog(new OrchestratorSettings("orch"),
            new Dictionary<string, ModelEntry>
            {
                ["orch"] = new("orch", _server.BaseUrl, "orch-8b", new Price(0.2m, 0.2m), ["local"], Family: ModelFamily.Qwen, Api: ModelApi.Completions, Tokenizer: TokenizerPath),
                ["big"] = new("big", _server.BaseUrl, "big-gpt", new Price(1.25m, 10m), ["proprietary"], Family: ModelFamily.Gpt),
            },
            new Dictionary<string, AliasEntry> { ["answer-1"] = new("answer-1", "big"), ["search-1"] = new("search-1", "big") },
            new ToolPrices(), new Limits());
        var tokenizer = Qwen3Tokenizer.Load(TokenizerPath);
        var completion = "<think>\nA strong model knows this.\n</think>\n\n<tool_call>\n{\"name\": \"answer\", \"arguments\": {\"model\": \"answer-1\"}}\n</tool_call>";
        _server.Script("orch-8b", new FakeReply(completion, OmitUsage: true));
        _server.Script("big-gpt", new FakeReply("<answer>Paris</answer>"));
        var models = new ModelClientFactory(catalog, tokenizer, new RetrySettings(0));
        var runner = new QaEpisodeRunner(catalog, models, new LlmQaPolicy(models.For("orch"), catalog.Orchestrator), QaToolServices.None, tokenizer);

        var t = await runner.RunAsync(new QaRunRequest("Capital of France?", Preferences.None));

        t.Answer.Should().Be("Paris");
        t.Turns[0].Reasoning.Should().Be("A strong model knows this.");
        var prompt = _server.Requests.Single(r => r.Model == "orch-8b").Prompt!;
        // the default protocol is the training rollout's, trailing space and "approriate" included
        prompt.Should().StartWith("<|im_start|>system\nYou are good at using tools. \n\n# Tools\n")
            .And.Contain("\"name\": \"answer\"")
            .And.EndWith("<|im_start|>user\nProblem: Capital of France?\n\n\n\nChoose an approriate tool.<|im_end|>\n<|im_start|>assistant\n");
        var entry = t.Ledger.First();
        (entry.InputTokens, entry.OutputTokens).Should().Be((tokenizer.Count(prompt), tokenizer.Count(completion)));
        entry.TokensEstimated.Should().BeFalse("counted exactly with the model's tokenizer");
    }

    [Fact]
    public void A_completions_model_without_a_tokenizer_is_a_catalog_error()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """{"orchestrator":{"model":"a"},"models":{"a":{"endpoint":"http://x/v1","name":"a","api":"completions","price":{"input_per_million":1,"output_per_million":1}}}}""");
        try
        {
            var act = () => CatalogLoader.Load(path);
            act.Should().Throw<UserError>().Which.Message.Should().Contain("$.models.a: \"api\": \"completions\" needs \"tokenizer\"");
        }
        finally { File.Delete(path); }
    }
}
