using System.Text;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>Code an expert wrote and what it printed.</summary>
public sealed record CodeBlock(string Code, string Output);

/// <summary>How much context the orchestrator sees each turn (reference §3; defaults are the training settings).</summary>
public sealed record OrchestratorContextLimits(int DocChars = 4000, int CodeTokens = 16000, int ContextTokens = 24000);

/// <summary>
/// What an episode has gathered: retrieved documents (no duplicates) and code with its outputs. Renders the context
/// string for the orchestrator and, with the expert's own limits, for each expert: documents cut to a number of
/// characters, the code part cut to its last N tokens (marked with a leading fence when cut), the whole cut to
/// its last (limit − tokens of the problem) tokens.
/// </summary>
public sealed class QaContext(ITokenCounter tokens)
{
    private readonly List<string> _documents = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<CodeBlock> _code = [];

    public IReadOnlyList<string> Documents => _documents;
    public IReadOnlyList<CodeBlock> Code => _code;

    /// <summary>Adds new documents, skipping ones already present; returns how many were new.</summary>
    public int AddDocuments(IEnumerable<string> documents)
    {
        var added = 0;
        foreach (var d in documents)
            if (_seen.Add(d)) { _documents.Add(d); added++; }
        return added;
    }

    public void AddCode(string code, string output) => _code.Add(new CodeBlock(code, output));

    public string ForOrchestrator(string problem, OrchestratorContextLimits limits) =>
        Render(problem, limits.DocChars, limits.CodeTokens, limits.ContextTokens, docEllipsis: true, codeHeader: "\npython code and execution outputs:\n");

    public string ForExpert(string problem, ExpertContextLimits limits) =>
        Render(problem, limits.DocChars, limits.CodeTokens, limits.ContextTokens, docEllipsis: false, codeHeader: "");

    private string Render(string problem, int? docChars, int codeTokens, int contextTokens, bool docEllipsis, string codeHeader)
    {
        var sb = new StringBuilder();
        if (_documents.Count > 0)
        {
            sb.Append("Documents:\n");
            for (var i = 0; i < _documents.Count; i++)
            {
                var doc = _documents[i];
                if (docChars is { } max && doc.Length > max) doc = doc[..max] + (docEllipsis ? " ..." : "");
                sb.Append("Doc ").Append(i + 1).Append(": ").Append(doc).Append("\n\n");
            }
        }
        if (_code.Count > 0)
        {
            var code = new StringBuilder();
            foreach (var block in _code)
                code.Append("```python\n").Append(block.Code).Append("\n```\n\n```output\n").Append(block.Output).Append("\n```\n\n");
            var codeText = code.ToString();
            var kept = tokens.KeepLast(codeText, codeTokens);
            if (kept.Length < codeText.Length) kept = "```\n" + kept;
            sb.Append(codeHeader).Append(kept);
        }
        var budget = Math.Max(0, contextTokens - tokens.Count(problem));
        return tokens.KeepLast(sb.ToString(), budget);
    }
}
