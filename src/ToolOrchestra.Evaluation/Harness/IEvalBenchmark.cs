using ToolOrchestra.Evaluation.Store;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>One sample of a benchmark: its id in the store (unique in the run) and the task it comes from.</summary>
public sealed record EvalItem(string SampleId, string TaskId);

/// <summary>
/// A benchmark the harness can run: the samples it holds, and how to run and score one. Each is one class plus one
/// line in <see cref="EvalBenchmarks"/>. <see cref="RunAsync"/> returns the sample as stored (<c>done</c> when it was
/// scored, <c>failed</c> when infrastructure failed it: an endpoint down after retries, an error); an exception counts
/// as failed too. The harness adds attempts, shard and wall time and writes it.
/// </summary>
public interface IEvalBenchmark : IAsyncDisposable
{
    /// <summary>The orchestrator (or answering model) as the store names it.</summary>
    string Orchestrator { get; }

    /// <summary>Whether simulated models produce the numbers (the offline world, models tagged <c>simulated</c>).</summary>
    bool Simulated { get; }

    /// <summary>Every sample, in a stable order (before <c>--limit</c> and sharding).</summary>
    IReadOnlyList<EvalItem> Items { get; }

    /// <summary>Lines worth telling the user before the run (skipped image questions, no judge configured, …).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>Problems found before the run that will fail some calls (an expert's key unset); printed even with --json.</summary>
    IReadOnlyList<string> Warnings => [];

    /// <summary>What, besides the common options, makes this run what it is (recorded with the run; a rerun must match).</summary>
    IReadOnlyDictionary<string, string?> Settings { get; }

    Task<EvalSample> RunAsync(string runId, EvalItem item, CancellationToken ct);
}
