using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ToolOrchestra.Models.Tokenization;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Bench;

/// <summary>
/// Speed of the Qwen3 tokenizer: encoding and counting a 1 MB mixed corpus (single thread, warm cache; the MB/s
/// column is corpus bytes over the mean), loading tokenizer.json (target under 1 s), and rendering a tool-use
/// conversation with the chat template. The head-to-head with the JS reference is `orchestra bench tokenizer`.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*TokenizerBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Throughput))]
public class TokenizerBenchmarks
{
    internal const int CorpusBytes = 1_000_000;

    private Qwen3Tokenizer tokenizer = null!;
    private string[] documents = null!;
    private List<ChatMessage> conversation = null!;

    [GlobalSetup]
    public void Setup()
    {
        tokenizer = Qwen3Tokenizer.Load(SharedData.File("qwen3-tokenizer"));
        documents = SampleCorpus.Generate(CorpusBytes).Split("\n\n");
        EncodeCorpus();
        conversation =
        [
            ChatMessage.System("You orchestrate tools."),
            ChatMessage.User("Who wrote Dune and when was it published?"),
            ChatMessage.Assistant("", "Search for the author and the date.",
                [ChatToolCall.FromJson("search", """{"model": "search-1", "query": "Dune author"}"""),
                 ChatToolCall.FromJson("search", """{"model": "search-2", "query": "Dune publication year"}""")]),
            ChatMessage.Tool("Frank Herbert wrote Dune."),
            ChatMessage.Tool("Dune was published in 1965."),
            ChatMessage.Assistant("Frank Herbert, 1965.", "Both results agree."),
        ];
    }

    [Benchmark]
    public long EncodeCorpus()
    {
        long tokens = 0;
        foreach (var document in documents) tokens += tokenizer.Encode(document).Length;
        return tokens;
    }

    [Benchmark]
    public long CountCorpus()
    {
        long tokens = 0;
        foreach (var document in documents) tokens += tokenizer.Count(document);
        return tokens;
    }

    [Benchmark]
    public int Load() => Qwen3Tokenizer.Load(SharedData.File("qwen3-tokenizer")).VocabularySize;

    [Benchmark]
    public int RenderChat() => ChatTemplate.Qwen3.Render(conversation, addGenerationPrompt: true).Length;

    private sealed class Throughput : ManualConfig
    {
        public Throughput() => AddColumn(new MegabytesPerSecond());
    }

    /// <summary>Corpus megabytes per second for the benchmarks that go over the whole corpus.</summary>
    private sealed class MegabytesPerSecond : IColumn
    {
        public string Id => nameof(MegabytesPerSecond);
        public string ColumnName => "MB/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Corpus megabytes (UTF-8) encoded per second, from the mean";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (!benchmarkCase.Descriptor.WorkloadMethod.Name.EndsWith("Corpus", StringComparison.Ordinal)) return "-";
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is > 0 ? (CorpusBytesActual / 1e6 / (mean.Value / 1e9)).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "?";
        }

        private static readonly long CorpusBytesActual = System.Text.Encoding.UTF8.GetByteCount(SampleCorpus.Generate(CorpusBytes));
    }
}
