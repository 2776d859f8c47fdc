using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Runtime.Episodes;

namespace ToolOrchestra.Bench;

/// <summary>
/// What storing one more turn costs once a run already has <see cref="Turns"/> turns: the run store appends one record
/// (flat), where rewriting the whole trajectory each turn (the old store) grows with the run.
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*RunStore*'
/// </summary>
[MemoryDiagnoser]
public class RunStoreBenchmarks
{
    private string _dir = null!;
    private RunStore _store = null!;
    private Trajectory _trajectory = null!;
    private TrajectoryTurn _turn = null!;

    [Params(1, 10, 100)]
    public int Turns { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Directory.CreateTempSubdirectory("runstore-bench-").FullName;
        _store = new RunStore(_dir);
        // A turn the size of a real one: a ~6 KB rebuilt prompt, a reply, an observation and two ledger entries.
        var prompt = new PromptMessage("user", "Problem: " + string.Concat(Enumerable.Repeat("Doc 1: a retrieved passage about the question. ", 120)));
        _turn = new TrajectoryTurn(1, [new PromptMessage("system", "You are good at using tools."), prompt], "<tool_call>{\"name\":\"search\"}</tool_call>", null,
            new ToolCallRecord("search", "{\"model\":\"search-1\"}", "search-1", "gpt-5"), [], "Found 5 documents", null, [],
            [new LedgerEntry(1, CallKind.Orchestrator, "orchestrator", null, "orch", 1500, 40, 0.0003m, 0.4), new LedgerEntry(1, CallKind.Expert, "search", "search-1", "gpt-5", 1600, 30, 0.0023m, 2.1)]);
        _trajectory = new Trajectory("bench", "qa", "q", null, Enumerable.Range(1, Turns).Select(i => _turn with { Turn = i }).ToList(),
            null, null, null, 0, 0, 0, [], DateTimeOffset.UnixEpoch, Preferences.None);
        await _store.BeginAsync(_trajectory);
        foreach (var t in _trajectory.Turns) await _store.AppendTurnAsync("bench", t);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Baseline = true, Description = "append one turn record (run store)")]
    public Task AppendTurn() => _store.AppendTurnAsync("bench", _turn);

    [Benchmark(Description = "rewrite the whole trajectory (old store)")]
    public async Task RewriteTrajectory()
    {
        var path = Path.Combine(_dir, "whole.json");
        await using (var stream = File.Create(path + ".tmp"))
            await JsonSerializer.SerializeAsync(stream, _trajectory, OrchestraJson.Options);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
