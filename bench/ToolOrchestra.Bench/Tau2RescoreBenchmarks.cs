using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Environments.Tau2.Results;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Bench;

/// <summary>
/// tau2 offline scoring speed. Targets: every recorded simulation of all 35 results files re-scored in under 30 s
/// (issue 6), and every base task of the four domains replayed and scored from its gold trajectory in under 10 s
/// (issue 4). The extra columns give simulations per second and tool calls per second.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*Tau2*'
/// </summary>
[Config(typeof(Tau2Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class Tau2RescoreBenchmarks
{
    private static readonly string DataDir = SharedData.File("tau2", "data");
    private static readonly string SimsDir = SharedData.File("tau2-sims");

    /// <summary>
    /// Units one invocation processes, per benchmark method. Computed from the data (not by Setup) because columns are
    /// rendered in BenchmarkDotNet's host process, where Setup never runs.
    /// </summary>
    private static readonly Lazy<Dictionary<string, (double Count, string Unit)>> Work = new(() =>
    {
        var simulations = Directory.GetFiles(SimsDir, "*.json").Sum(f => Tau2Results.Read(f).Simulations.Count);
        var goldCalls = Tau2Domain.Names.Sum(n => Tau2TaskSet.Load(Tau2Domain.Load(DataDir, n)).Select("base")
            .Sum(t => t.EvaluationCriteria?.Actions?.Count ?? 0));
        return new()
        {
            [nameof(ReadAndRescoreAllFiles)] = (simulations, "sims/s"),
            [nameof(RescoreAllFiles)] = (simulations, "sims/s"),
            [nameof(CheckGoldAllBaseTasks)] = (goldCalls, "gold tool calls/s"),
        };
    });

    private List<string> _files = [];
    private List<Tau2Results> _results = [];
    private List<(Tau2Domain Domain, IReadOnlyList<Tau2Task> Tasks)> _base = [];

    [GlobalSetup]
    public void Setup()
    {
        _files = Directory.GetFiles(SimsDir, "*.json").Order(StringComparer.Ordinal).ToList();
        _results = _files.Select(Tau2Results.Read).ToList();
        foreach (var name in Tau2Domain.Names)
        {
            var domain = Tau2Domain.Load(DataDir, name);
            _base.Add((domain, Tau2TaskSet.Load(domain).Select("base")));
        }
    }

    [Benchmark(Description = "read + re-score 35 results files")]
    public async Task<int> ReadAndRescoreAllFiles()
    {
        var agree = 0;
        foreach (var file in _files)
            agree += (await new Tau2Rescorer(DataDir).RescoreAsync(Tau2Results.Read(file), parallelism: Environment.ProcessorCount)).Agree;
        return agree;
    }

    [Benchmark(Description = "re-score 35 results files (read)")]
    public async Task<int> RescoreAllFiles()
    {
        var agree = 0;
        foreach (var results in _results)
            agree += (await new Tau2Rescorer(DataDir).RescoreAsync(results, parallelism: Environment.ProcessorCount)).Agree;
        return agree;
    }

    [Benchmark(Description = "gold replay + score, base tasks of 4 domains")]
    public async Task<int> CheckGoldAllBaseTasks()
    {
        var passed = 0;
        foreach (var (domain, tasks) in _base)
            passed += (await GoldCheck.RunAsync(domain, tasks, null, CancellationToken.None)).Passed;
        return passed;
    }

    private sealed class Tau2Config : ManualConfig
    {
        public Tau2Config() => AddColumn(new RateColumn());
    }

    /// <summary>Units processed per second: simulations re-scored, or gold tool calls replayed and scored.</summary>
    private sealed class RateColumn : IColumn
    {
        public string Id => "Tau2Rate";
        public string ColumnName => "Rate";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => false;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Units per second (simulations re-scored, or gold tool calls replayed and scored)";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            if (stats is null || !Work.Value.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out var work)) return "-";
            var seconds = stats.Mean / 1e9;
            return $"{work.Count / seconds:0} {work.Unit} ({work.Count:0} in {seconds:0.00} s)";
        }
    }
}
