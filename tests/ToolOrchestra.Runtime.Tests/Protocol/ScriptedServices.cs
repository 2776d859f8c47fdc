using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>A retriever that returns scripted documents in order and remembers each (query, top_k).</summary>
internal sealed class ScriptedRetriever(IEnumerable<IReadOnlyList<string>> results) : IRetriever
{
    private readonly Queue<IReadOnlyList<string>> _results = new(results);
    public List<(string Query, int TopK)> Calls { get; } = [];

    public Task<RetrievalResult> RetrieveAsync(string query, int topK, string? eid, CancellationToken ct)
    {
        Calls.Add((query, topK));
        var docs = _results.Dequeue().Select((d, i) => new RetrievedDocument($"d{i}", d, 1.0)).ToList();
        return Task.FromResult(new RetrievalResult(docs));
    }
}

/// <summary>A code runner that prints scripted stdout in order and remembers the code it was given.</summary>
internal sealed class ScriptedCodeRunner(IEnumerable<string> outputs) : ICodeRunner
{
    private readonly Queue<string> _outputs = new(outputs);
    public List<string> Codes { get; } = [];

    public Task<CodeResult> RunAsync(string code, CancellationToken ct)
    {
        Codes.Add(code);
        return Task.FromResult(new CodeResult(_outputs.Dequeue(), "", 0, false, 0.5));
    }
}
