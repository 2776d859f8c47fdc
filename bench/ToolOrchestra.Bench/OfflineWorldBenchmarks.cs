using BenchmarkDotNet.Attributes;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Bench;

/// <summary>
/// Speed of the offline world: generating the default world (corpus and 300 tasks), and one simulated expert reply to
/// an answer prompt holding a few documents (the per-call cost behind the 1,000 episodes/s target).
/// Run: dotnet run -c Release --project bench/ToolOrchestra.Bench -- --filter '*OfflineWorldBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class OfflineWorldBenchmarks
{
    private World _world = null!;
    private SimulatedExpert _expert = null!;
    private string _prompt = "";

    [GlobalSetup]
    public void Setup()
    {
        _world = World.Generate(1);
        _expert = SimulatedExpert.ForModel(_world, "qwen3-32b")!;
        var task = _world.Tasks.First(t => t.Family == TaskFamily.MultiHop);
        var context = new QaContext(EstimatingTokenCounter.Instance);
        context.AddDocuments(_world.Documents.Take(6).Select(d => d.Contents));
        context.AddDocuments(task.FactIds.Select(f => _world.Documents.First(d => d.FactIds.Contains(f)).Contents));
        var (system, user) = ExpertPrompts.Answer(context.ForExpert(task.Question, new ExpertContextLimits(12000, 24000, 1000)), task.Question, ModelFamily.Qwen);
        _prompt = system + "\n" + user;
    }

    [Benchmark]
    public int GenerateDefaultWorld() => World.Generate(2).Documents.Count;

    [Benchmark]
    public long SimulatedAnswerReply() => _expert.Respond(_prompt, 7).CompletionTokens;
}
