using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness.Offline;
using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>The benchmarks <c>orchestra eval run --benchmark NAME</c> knows: adding one is a class and a line here.</summary>
public static class EvalBenchmarks
{
    private static readonly Dictionary<string, Func<EvalRunOptions, EvalStore, CancellationToken, Task<IEvalBenchmark>>> Registry = new(StringComparer.Ordinal)
    {
        ["qa"] = QaBenchmark.CreateAsync,
        ["tau2"] = Tau2Benchmark.CreateAsync,
        ["offline"] = OfflineBenchmark.CreateAsync,
        ["gaia"] = GaiaBenchmark.CreateAsync,
    };

    public static IReadOnlyCollection<string> Names => Registry.Keys;

    public static Task<IEvalBenchmark> CreateAsync(EvalRunOptions options, EvalStore store, CancellationToken ct) =>
        Registry.TryGetValue(options.Benchmark, out var create) ? create(options, store, ct)
            : throw new UserError($"--benchmark must be one of {string.Join(", ", Registry.Keys)}, not '{options.Benchmark}'.");
}
