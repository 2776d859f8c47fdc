using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Data.Sqlite;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Bench.Tools;

/// <summary>
/// Index build throughput on a 100k-document synthetic corpus (target: over 20k documents/s) and the index size.
/// dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*IndexBuild*'
/// </summary>
[Config(typeof(Config))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class IndexBuildBenchmarks
{
    public const int Documents = 100_000;
    internal static readonly string Dir = Path.Combine(Path.GetTempPath(), "orchestra-bench-index");
    internal static string CorpusPath => Path.Combine(Dir, "corpus-100k.jsonl");
    internal static string IndexPath => Path.Combine(Dir, "index-100k.db");

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new DocsPerSecondColumn(), new IndexSizeColumn());
    }

    [GlobalSetup]
    public void Setup() => EnsureCorpus();

    internal static void EnsureCorpus()
    {
        Directory.CreateDirectory(Dir);
        if (!File.Exists(CorpusPath)) new SyntheticCorpus().WriteJsonl(CorpusPath, Documents);
    }

    [Benchmark(Description = "build 100k docs")]
    public long Build()
    {
        SqliteConnection.ClearAllPools();
        return LocalIndexBuilder.Build(CorpusPath, IndexPath).Documents;
    }

    private sealed class DocsPerSecondColumn : IColumn
    {
        public string Id => "DocsPerSecond";
        public string ColumnName => "docs/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Documents indexed per second (corpus size / mean time)";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            summary[benchmarkCase]?.ResultStatistics is { } s ? (Documents / (s.Mean / 1e9)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }

    private sealed class IndexSizeColumn : IColumn
    {
        public string Id => "IndexSize";
        public string ColumnName => "index MiB";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 1;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Size of the built index file (corpus JSONL size in parentheses)";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            File.Exists(IndexPath)
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{new FileInfo(IndexPath).Length / 1048576.0:F1} (corpus {new FileInfo(CorpusPath).Length / 1048576.0:F1})")
                : "-";
    }
}

/// <summary>
/// BM25 query latency at top-k 50 on the 100k-document index (target: p50 under 5 ms).
/// dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*IndexQuery*'
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MedianColumn, Percentiles]
public class IndexQueryBenchmarks
{
    private LocalIndex _index = null!;
    private List<string> _queries = null!;
    private int _next;

    [Params("keywords", "sampled")]
    public string Queries { get; set; } = "keywords";

    [GlobalSetup]
    public void Setup()
    {
        IndexBuildBenchmarks.EnsureCorpus();
        if (!File.Exists(IndexBuildBenchmarks.IndexPath))
            LocalIndexBuilder.Build(IndexBuildBenchmarks.CorpusPath, IndexBuildBenchmarks.IndexPath);
        _index = LocalIndex.Open(IndexBuildBenchmarks.IndexPath);
        _queries = new SyntheticCorpus().Queries(Queries, 500, IndexBuildBenchmarks.Documents);
    }

    [Benchmark(Description = "BM25 top-50")]
    public int Search() => _index.Search(_queries[_next++ % _queries.Count], 50).Count;
}

/// <summary>Percentile columns (P50 = median, P90) for latency targets stated as percentiles.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PercentilesAttribute : ColumnConfigBaseAttribute
{
    public PercentilesAttribute() : base(StatisticColumn.P50, StatisticColumn.P90) { }
}
